import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PoolseWire
import ServiceLifecycle
import Testing
@testable import PoolseServer

/// A real server on a loopback port, with one tenant, for the realtime tests; REST calls go
/// through plain HTTP requests.
struct RealtimeTestServer: Sendable {
    let app: PoolseApp
    let port: Int
    let apiKey: String

    /// A user of the tenant and a token for it.
    struct TestUser: Sendable {
        let id: String
        let externalId: String
        let token: String
    }

    struct HTTPResult: Sendable {
        let status: Int
        let json: JSONValue
    }

    /// Runs `body` against a fresh server (its own data directory, or its own PostgreSQL
    /// database when the suite runs there, as `.ci/run` does), then shuts it down.
    static func run<T: Sendable>(_ configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
                                 _ body: @Sendable (RealtimeTestServer) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-rt-\(UUID().uuidString)")
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory.path
        configuration.logLevel = .error
        // Tests run in parallel, each with its own server: a small pool keeps the PostgreSQL
        // suite under the cluster's max_connections.
        configuration.databasePoolSize = 4
        // Tests make many quick calls; the typing limit is tested on its own.
        configuration.rateLimits = RateLimits().scaled(by: 100)
        var postgresURL: String?
        if let adminURL = TestDatabase.postgresAdminURL {
            postgresURL = try await TestDatabase.createPostgresDatabase(adminURL: adminURL)
            configuration.databaseURL = postgresURL
        }
        configure(&configuration)
        let result: Result<T, any Error>
        do {
            result = .success(try await serve(configuration, body))
        } catch {
            result = .failure(error)
        }
        try? FileManager.default.removeItem(at: directory)
        if let postgresURL, let adminURL = TestDatabase.postgresAdminURL {
            await TestDatabase.dropPostgresDatabase(url: postgresURL, adminURL: adminURL)
        }
        return try result.get()
    }

    private static func serve<T: Sendable>(_ configuration: ServerConfiguration,
                                           _ body: @Sendable (RealtimeTestServer) async throws -> T) async throws -> T {
        var logger = Logger(label: "poolse-test")
        logger.logLevel = .error
        let app = try await PoolseApp.open(configuration, logger: logger)
        let (_, apiKey) = try await app.admin.createTenant(name: "realtime-\(UUID().uuidString.prefix(8))")
        let (ports, portInput) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(services: [app.application(onListening: { portInput.yield($0) })], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw RealtimeTestFailure("the server did not start") }
            let server = RealtimeTestServer(app: app, port: port, apiKey: apiKey)
            let result: T
            do {
                result = try await body(server)
            } catch {
                await group.triggerGracefulShutdown()
                await app.close()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.next()
            await app.close()
            return result
        }
    }

    // MARK: - REST

    /// Calls the REST API with a user token or, when `token` is nil, the tenant's API key.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, token: String?, body: JSONValue? = nil) async throws -> HTTPResult {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token ?? apiKey)"
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try WireCoding.encoder.encode(body))
        }
        let request = TestClient.Request(path, method: method, headers: headers, body: buffer)
        // A generous timeout: bursts of sends queue behind one another on a busy machine.
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
    func ok(_ method: HTTPRequest.Method, _ path: String, token: String?, body: JSONValue? = nil) async throws -> JSONValue {
        let result = try await call(method, path, token: token, body: body)
        guard (200..<300).contains(result.status) else {
            throw RealtimeTestFailure("\(method) \(path) answered \(result.status): \(result.json)")
        }
        return result.json
    }

    /// Creates a user (through the tenant API) and mints a token for it.
    func user(_ externalId: String) async throws -> TestUser {
        let user = try await ok(.post, "/v1/users", token: nil, body: ["external_id": .string(externalId)])
        let id = try user.memberString("id")
        let token = try await ok(.post, "/v1/users/\(id)/tokens", token: nil, body: [:])
        return TestUser(id: id, externalId: externalId, token: try token.memberString("token"))
    }

    /// Creates a group conversation owned by `owner` with `members`; returns its id.
    func conversation(owner: TestUser, members: [TestUser]) async throws -> String {
        let conversation = try await ok(.post, "/v1/conversations", token: owner.token, body: [
            "type": "group", "name": "room",
            "member_external_ids": .array(members.map { .string($0.externalId) }),
        ])
        return try conversation.memberString("id")
    }

    /// Sends a text message; returns the stored message.
    @discardableResult
    func send(_ body: String, in conversationId: String, as user: TestUser, mentions: [String] = []) async throws -> JSONValue {
        try await ok(.post, "/v1/conversations/\(conversationId)/messages", token: user.token, body: [
            "body": .string(body), "mentions": .array(mentions.map(JSONValue.string)),
        ])
    }

    /// Opens a socket for `user`.
    func socket(_ user: TestUser, reading: Bool = true) async throws -> PhoenixTestSocket {
        try await PhoenixTestSocket.connect(port: port, query: "token=\(user.token)&vsn=2.0.0", reading: reading)
    }

    /// Whether a socket opens with this query (a refused upgrade throws in the client).
    func canConnect(query: String) async -> Bool {
        guard let socket = try? await PhoenixTestSocket.connect(port: port, query: query) else { return false }
        socket.close()
        return true
    }

    /// Waits, boundedly, until `condition` holds (for state only the server can see).
    func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async throws {
        try await PoolseServerTests.eventually(timeout: timeout, condition)
    }
}

/// A test precondition that did not hold.
struct RealtimeTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The string at `key` of this object, or a test failure.
    func memberString(_ key: String) throws -> String {
        guard let value = objectValue?[key]?.stringValue else { throw RealtimeTestFailure("no string \(key) in \(self)") }
        return value
    }

    /// The value at `key` of this object (`.null` when absent).
    func member(_ key: String) -> JSONValue { objectValue?[key] ?? .null }
}
