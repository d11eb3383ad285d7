import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PoolseWire

@testable import PoolseServer

/// One served node of a `ServerFixture`: plain REST calls (the tenant's API key when no token
/// is given), users and conversations made through them, and raw Phoenix sockets. Deliberately
/// not the SDK, so one misunderstanding of the protocol cannot hide on both sides.
package struct ServerNode: Sendable {
    package let app: PoolseApp
    package let port: Int
    package let apiKey: String
    package let tenantId: String

    package var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    package struct HTTPResult: Sendable {
        package let status: Int
        package let json: JSONValue
    }

    /// Calls the REST API with a user token or, when `token` is nil, the tenant's API key, on a
    /// connection of its own (a generous timeout: bursts of sends queue behind one another on a
    /// busy machine).
    @discardableResult
    package func call(_ method: HTTPRequest.Method, _ path: String, token: String?, body: JSONValue? = nil) async throws -> HTTPResult {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token ?? apiKey)"
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try WireCoding.encoder.encode(body))
        }
        let request = TestClient.Request(path, method: method, headers: headers, body: buffer)
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port,
                                                       configuration: .init(timeout: .seconds(60))) {
            try await $0.execute(request)
        }
        let data = response.body.map { Data(buffer: $0) } ?? Data()
        let json = data.isEmpty ? JSONValue.null : try WireCoding.decoder.decode(JSONValue.self, from: data)
        return HTTPResult(status: Int(response.status.code), json: json)
    }

    /// Calls and expects a 2xx, returning the body.
    @discardableResult
    package func ok(_ method: HTTPRequest.Method, _ path: String, token: String?, body: JSONValue? = nil) async throws -> JSONValue {
        let result = try await call(method, path, token: token, body: body)
        guard (200..<300).contains(result.status) else {
            throw TestFailure("\(method) \(path) answered \(result.status): \(result.json)")
        }
        return result.json
    }

    /// Creates a user (through the tenant API) and mints a token for it.
    package func user(_ externalId: String) async throws -> TestUser {
        let user = try await ok(.post, "/v1/users", token: nil, body: ["external_id": .string(externalId)])
        let id = try user.memberString("id")
        let token = try await ok(.post, "/v1/users/\(id)/tokens", token: nil, body: [:])
        return TestUser(id: id, externalId: externalId, token: try token.memberString("token"))
    }

    /// Creates a group conversation owned by `owner` with `members`; returns its id.
    package func conversation(owner: TestUser, members: [TestUser]) async throws -> String {
        let conversation = try await ok(.post, "/v1/conversations", token: owner.token, body: [
            "type": "group", "name": "room",
            "member_external_ids": .array(members.map { .string($0.externalId) }),
        ])
        return try conversation.memberString("id")
    }

    /// Sends a text message; returns the stored message.
    @discardableResult
    package func send(_ body: String, in conversationId: String, as user: TestUser, mentions: [String] = []) async throws -> JSONValue {
        try await ok(.post, "/v1/conversations/\(conversationId)/messages", token: user.token, body: [
            "body": .string(body), "mentions": .array(mentions.map(JSONValue.string)),
        ])
    }

    /// Opens a socket for `user`. With `reading: false` nothing is read until `startReading()`.
    package func socket(_ user: TestUser, reading: Bool = true) async throws -> PhoenixTestSocket {
        try await PhoenixTestSocket.connect(port: port, query: "token=\(user.token)&vsn=2.0.0", reading: reading)
    }

    /// Whether a socket opens with this query (a refused upgrade throws in the client).
    package func canConnect(query: String) async -> Bool {
        guard let socket = try? await PhoenixTestSocket.connect(port: port, query: query) else { return false }
        socket.close()
        return true
    }

    /// Waits, boundedly, until `condition` holds (for state only the server can see).
    package func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async throws {
        try await PoolseTestSupport.eventually(timeout: timeout, condition)
    }
}

/// A user of the fixture's tenant and a token for it.
package struct TestUser: Sendable {
    package let id: String
    package let externalId: String
    package let token: String

    package init(id: String, externalId: String, token: String) {
        self.id = id
        self.externalId = externalId
        self.token = token
    }
}

/// A test precondition that did not hold.
package struct TestFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The string at `key` of this object, or a test failure.
    package func memberString(_ key: String) throws -> String {
        guard let value = objectValue?[key]?.stringValue else { throw TestFailure("no string \(key) in \(self)") }
        return value
    }

    /// The value at `key` of this object (`.null` when absent).
    package func member(_ key: String) -> JSONValue { objectValue?[key] ?? .null }
}
