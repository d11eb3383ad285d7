import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PoolseWire
import Testing

@testable import PoolseServer

/// A real server on a loopback port over a fresh SQLite file, with one tenant and its API key.
struct TestServer: Sendable {
    let app: PoolseApp
    let apiKey: String
    let tenantId: String
    let dataDirectory: String
    /// The PostgreSQL database of this test, when the suite runs on PostgreSQL.
    let postgresURL: String?

    /// Opens a server with its own temporary data directory.
    /// `pushSender` stands in for the push providers (the transport seam); nil: none configured.
    static func make(pushSender: (any PushSender)? = nil,
                     _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("poolse-test-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.logLevel = .warning
        // Tests run in parallel, each with its own server: a small pool keeps the PostgreSQL
        // suite under the cluster's max_connections.
        configuration.databasePoolSize = 4
        var postgresURL: String?
        if let adminURL = TestDatabase.postgresAdminURL {
            postgresURL = try await TestDatabase.createPostgresDatabase(adminURL: adminURL)
            configuration.databaseURL = postgresURL
        }
        configure(&configuration)
        let app = try await PoolseApp.open(configuration, pubsub: nil, pushSender: pushSender)
        let (tenant, key) = try await app.admin.createTenant(name: "tenant-\(UUID().uuidString.prefix(8))")
        return TestServer(app: app, apiKey: key, tenantId: tenant.id, dataDirectory: directory, postgresURL: postgresURL)
    }

    /// Closes the server's database and removes what the test created.
    func cleanUp() async {
        await app.close()
        try? FileManager.default.removeItem(atPath: dataDirectory)
        if let postgresURL, let adminURL = TestDatabase.postgresAdminURL {
            await TestDatabase.dropPostgresDatabase(url: postgresURL, adminURL: adminURL)
        }
    }

    /// Runs `body` against the server listening on a real loopback port, then cleans up.
    func run<T: Sendable>(_ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        do {
            let result = try await app.application().test(.live) { client in
                try await body(APIClient(client: client, server: self))
            }
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// Another tenant in the same database.
    func makeTenant() async throws -> String {
        try await app.admin.createTenant(name: "other-\(UUID().uuidString.prefix(8))").apiKey
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

/// A thin JSON client over the live test connection.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let server: TestServer

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
        return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            APIResult(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
        }
    }

    /// `request`, on a connection of its own with a 60 s timeout. The shared test connection
    /// answers requests one after another within 15 s in all; a burst of many concurrent requests
    /// on a busy machine (the PostgreSQL suite runs dozens of servers at once) needs more.
    func requestOnOwnConnection(_ method: HTTPRequest.Method, _ path: String, token: String? = nil,
                                json: JSONValue? = nil) async throws -> APIResult {
        guard let port = client.port else { return try await request(method, path, token: token, json: json) }
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try WireCoding.encoder.encode(json))
            headers[.contentType] = "application/json"
        }
        let request = TestClient.Request(path, method: method, headers: headers, body: body)
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port,
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
