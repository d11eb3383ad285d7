import Foundation
import Hummingbird
import Poolse
import PoolseServer

/// A real server on a loopback port that can be stopped and started again on the same
/// port and database, so a test can restart it under connected SDK clients.
actor RealtimeTestServer {
    nonisolated let port: Int
    nonisolated let tenantId: String
    private let configuration: ServerConfiguration
    private var app: PoolseApp
    private var task: Task<Void, any Error>?

    nonisolated var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(port: Int, tenantId: String, configuration: ServerConfiguration, app: PoolseApp,
                 task: Task<Void, any Error>) {
        self.port = port
        self.tenantId = tenantId
        self.configuration = configuration
        self.app = app
        self.task = task
    }

    static func start() async throws -> RealtimeTestServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("poolse-rt-e2e-\(UUID().uuidString)").path
        configuration.logLevel = .critical  // a stopped server logs its cancelled sockets
        let app = try await PoolseApp.open(configuration)
        let (tenant, _) = try await app.admin.createTenant(name: "e2e")
        let (task, port) = try await run(app)
        configuration.port = port
        return RealtimeTestServer(port: port, tenantId: tenant.id, configuration: configuration, app: app, task: task)
    }

    private static func run(_ app: PoolseApp) async throws -> (Task<Void, any Error>, Int) {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let task = Task { try await app.application(onListening: { portSink.yield($0) }).run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return (task, port)
    }

    /// A token for `externalId` (created when missing); valid across restarts.
    func token(for externalId: String) async throws -> String {
        try await app.admin.userToken(tenant: tenantId, externalId: externalId, ttlSeconds: 3600).token
    }

    /// An SDK client for `externalId`; its realtime errors go to `onSocketError`.
    nonisolated func client(for externalId: String,
                            onSocketError: (@Sendable (any Error) -> Void)? = nil) -> Poolse {
        Poolse(PoolseConfiguration(apiURL: url, onSocketError: onSocketError) { [self] in
            try await self.token(for: externalId)
        })
    }

    /// Stops the server: every socket is dropped.
    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
        await app.close()
    }

    /// Starts it again on the same port and database.
    func restart() async throws {
        app = try await PoolseApp.open(configuration)
        let (task, port) = try await Self.run(app)
        precondition(port == self.port, "restarted on another port")
        self.task = task
    }

    /// Stops it and removes its data.
    func shutDown() async {
        await stop()
        try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
    }
}

/// Runs `body` with a started restartable server and removes it afterwards.
func withRealtimeServer<T: Sendable>(_ body: (RealtimeTestServer) async throws -> T) async throws -> T {
    let server = try await RealtimeTestServer.start()
    do {
        let result = try await body(server)
        await server.shutDown()
        return result
    } catch {
        await server.shutDown()
        throw error
    }
}

/// Polls `condition` until it holds, for at most `timeout` of wall-clock time.
func waitFor(_ what: String, timeout: Duration = .seconds(15),
             _ condition: @Sendable () async -> Bool) async throws {
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

/// Collects what a listener receives.
final class Collected<Value: Sendable>: @unchecked Sendable {
    // @unchecked: the array is only touched under the lock.
    private let lock = NSLock()
    private var values: [Value] = []

    var all: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    var append: @Sendable (Value) -> Void {
        { [self] value in
            lock.lock()
            values.append(value)
            lock.unlock()
        }
    }
}
