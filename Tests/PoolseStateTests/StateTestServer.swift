import Foundation
import Poolse
import PoolseServer

/// A real server on a loopback port for the state layer's tests, which can be stopped
/// and started again on the same port and database (the outbox has to outlive it).
actor StateTestServer {
    nonisolated let port: Int
    nonisolated let tenantId: String
    nonisolated let dataDirectory: String
    private var configuration: ServerConfiguration
    private var app: PoolseApp
    private var task: Task<Void, any Error>?

    nonisolated var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    nonisolated var databasePath: String { (dataDirectory as NSString).appendingPathComponent("poolse.sqlite3") }

    private init(port: Int, tenantId: String, configuration: ServerConfiguration, app: PoolseApp,
                 task: Task<Void, any Error>) {
        self.port = port
        self.tenantId = tenantId
        self.configuration = configuration
        self.dataDirectory = configuration.dataDirectory
        self.app = app
        self.task = task
    }

    static func start() async throws -> StateTestServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("poolse-state-\(UUID().uuidString)").path
        configuration.logLevel = .critical
        let app = try await PoolseApp.open(configuration)
        let (tenant, _) = try await app.admin.createTenant(name: "state")
        let (task, port) = try await run(app)
        configuration.port = port
        return StateTestServer(port: port, tenantId: tenant.id, configuration: configuration, app: app, task: task)
    }

    private static func run(_ app: PoolseApp) async throws -> (Task<Void, any Error>, Int) {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let task = Task { try await app.application(onListening: { portSink.yield($0) }).run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return (task, port)
    }

    private var tokens: [String: String] = [:]

    /// A token for `externalId`, minted once and reused: it stays valid across restarts,
    /// and minting needs the server's database, which a stopped server does not answer.
    func token(for externalId: String) async throws -> String {
        if let token = tokens[externalId] { return token }
        let token = try await app.admin.userToken(tenant: tenantId, externalId: externalId, ttlSeconds: 3600).token
        tokens[externalId] = token
        return token
    }

    /// An SDK client for `externalId` (short retries, so an offline test does not wait long).
    nonisolated func client(for externalId: String, transport: (any HTTPTransport)? = nil) -> Poolse {
        var configuration = PoolseConfiguration(apiURL: url, maxRetries: 1, baseBackoff: .milliseconds(20)) { [self] in
            try await self.token(for: externalId)
        }
        if let transport { configuration.transport = transport }
        return Poolse(configuration)
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
        await app.close()
    }

    func restart() async throws {
        app = try await PoolseApp.open(configuration)
        let (task, port) = try await Self.run(app)
        precondition(port == self.port, "restarted on another port")
        self.task = task
    }

    func shutDown() async {
        if task != nil { await stop() }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

@MainActor
func withStateServer<T: Sendable>(_ body: (StateTestServer) async throws -> T) async throws -> T {
    let server = try await StateTestServer.start()
    do {
        let result = try await body(server)
        await server.shutDown()
        return result
    } catch {
        await server.shutDown()
        throw error
    }
}

/// Polls `condition` on the main actor until it holds, for at most `timeout` of wall-clock time.
@MainActor
func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw WaitTimeout(what: what)
}

struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A temporary store file, removed by `remove()`.
struct TemporaryStorePath {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-store-\(UUID().uuidString).sqlite").path
    func remove() {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// The transport seam: holds the answers of message POSTs until the test lets them go,
/// so a test can make the realtime echo arrive before the REST answer.
final class GatedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `isHolding` and `waiters` are only touched under the lock.
    private let inner = URLSessionTransport()
    private let lock = NSLock()
    private var isHolding = true
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var heldCount = 0

    var held: Int { locked { heldCount } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func release() {
        let waiting = locked {
            isHolding = false
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let response = try await inner.send(request)
        guard request.method == .post, request.url.path.hasSuffix("/messages") else { return response }
        await withCheckedContinuation { continuation in
            let resumeNow = locked {
                guard isHolding else { return true }
                heldCount += 1
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return response
    }
}

/// The server's main feed of a conversation, oldest first (every page).
func serverFeed(_ client: Poolse, _ conversationID: String) async throws -> [Message] {
    var all: [Message] = []
    var before: Int64?
    while true {
        let page = try await client.conversations.one(conversationID).messages.list(limit: 200, before: before).data
        all += page
        guard page.count == 200, let oldest = page.last?.sequence else { break }
        before = oldest
    }
    return all.reversed()
}
