import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

extension ServerFixture {
    /// Serves the fixture, runs `body` with node 0's JSON client, then cleans up.
    func run<T: Sendable>(_ body: (APIClient) async throws -> T) async throws -> T {
        try await serve { fixture in try await body(APIClient(node: fixture.node(), server: fixture)) }
    }

    /// Serves the fixture, runs `body` with one JSON client per node, then cleans up.
    func runClients<T: Sendable>(_ body: ([APIClient]) async throws -> T) async throws -> T {
        try await serve { fixture in try await body(fixture.nodes.map { APIClient(node: $0, server: fixture) }) }
    }

    /// One node, its rate limits relaxed for tests that make many quick calls: `body` gets the node.
    static func runNode<T: Sendable>(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                                     _ body: (ServerNode) async throws -> T) async throws -> T {
        try await run(relaxedRateLimits: true, configure) { try await body($0.node()) }
    }

    /// `count` nodes over one database, rate limits relaxed: `body` gets the fixture.
    static func runCluster<T: Sendable>(nodes count: Int = 2, _ configure: (inout ServerConfiguration) -> Void = { _ in },
                                        _ body: (ServerFixture) async throws -> T) async throws -> T {
        try await run(nodes: count, relaxedRateLimits: true, configure, body)
    }
}

/// One HTTP answer, with the body parsed as JSON when it is JSON.
struct APIResult: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var json: JSONValue { (try? WireCoding.decoder.decode(JSONValue.self, from: body)) ?? .null }
    var errorCode: String? { json.objectValue?["error"]?.objectValue?["code"]?.stringValue }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try WireCoding.decoder.decode(T.self, from: body) }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    /// Asserts the §2 envelope with the given status and code.
    func expectError(_ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "body: \(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(errorCode == code, "body: \(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(header("Content-Type") == "application/json", sourceLocation: sourceLocation)
        let error = json.objectValue?["error"]?.objectValue
        #expect(error?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(error?["doc_url"]?.stringValue?.hasSuffix("#\(code)") == true, sourceLocation: sourceLocation)
    }
}

/// A thin JSON client for one node of a `ServerFixture`, a connection per request.
struct APIClient: Sendable {
    let node: ServerNode
    /// The fixture the node belongs to (its tenant, its other tenants, node 0's server).
    let server: ServerFixture

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil,
                 raw: Data? = nil, headers extra: [String: String] = [:]) async throws -> APIResult {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(bytes: try WireCoding.encoder.encode(json)) }
        if let raw { body = ByteBuffer(bytes: raw) }
        if body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { if let field = HTTPField.Name(name) { headers[field] = value } }
        let request = TestClient.Request(path, method: method, headers: headers, body: body)
        // A generous timeout: a burst of concurrent requests on a busy machine (the PostgreSQL
        // suite runs dozens of servers at once) queues behind one another.
        let response = try await TestClient.withClient(host: "127.0.0.1", port: node.port,
                                                       configuration: .init(timeout: .seconds(60))) {
            try await $0.execute(request)
        }
        return APIResult(status: Int(response.status.code), headers: response.headers,
                         body: response.body.map { Data(buffer: $0) } ?? Data())
    }

    /// Creates (or fetches) a user with the tenant API key.
    func createUser(_ externalId: String, apiKey: String? = nil) async throws -> User {
        let result = try await request(.post, "/v1/users", token: apiKey ?? server.apiKey,
                                       json: ["external_id": .string(externalId)])
        #expect(result.status == 201 || result.status == 200)
        return try result.decode(User.self)
    }

    /// A user and a token for them.
    func login(_ externalId: String, apiKey: String? = nil) async throws -> (user: User, token: String) {
        let user = try await createUser(externalId, apiKey: apiKey)
        let result = try await request(.post, "/v1/users/\(user.id)/tokens", token: apiKey ?? server.apiKey)
        #expect(result.status == 201)
        return (user, try result.decode(TokenResponse.self).token)
    }

    /// A group conversation created by `token` with the given other members.
    func createGroup(token: String, members: [String], limit: Int? = nil) async throws -> Conversation {
        var body: [String: JSONValue] = ["type": "group", "name": "team",
                                         "member_external_ids": .array(members.map(JSONValue.string))]
        if let limit { body["member_limit"] = .number(Double(limit)) }
        let result = try await request(.post, "/v1/conversations", token: token, json: .object(body))
        #expect(result.status == 201, "\(String(decoding: result.body, as: UTF8.self))")
        return try result.decode(Conversation.self)
    }

    /// Sends a text message and returns it.
    func send(_ body: String, to conversationId: String, token: String, extra: [String: JSONValue] = [:]) async throws -> Message {
        var json: [String: JSONValue] = ["body": .string(body)]
        for (key, value) in extra { json[key] = value }
        let result = try await request(.post, "/v1/conversations/\(conversationId)/messages", token: token, json: .object(json))
        #expect(result.status == 201, "\(String(decoding: result.body, as: UTF8.self))")
        return try result.decode(Message.self)
    }
}
