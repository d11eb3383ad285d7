import Foundation
import Hummingbird
import Poolse
import PoolseServer

/// A real `PoolseServer` on a loopback port for SDK tests, with one tenant.
final class LiveServer: Sendable {
    let app: PoolseApp
    let port: Int
    let tenantId: String
    let apiKey: String
    private let task: Task<Void, any Error>
    private let dataDirectory: String

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(app: PoolseApp, port: Int, tenantId: String, apiKey: String, task: Task<Void, any Error>, dataDirectory: String) {
        self.app = app
        self.port = port
        self.tenantId = tenantId
        self.apiKey = apiKey
        self.task = task
        self.dataDirectory = dataDirectory
    }

    /// Starts a server and waits until it listens.
    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> LiveServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-e2e-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.logLevel = .warning
        configure(&configuration)
        let app = try await PoolseApp.open(configuration)
        let (tenant, key) = try await app.admin.createTenant(name: "e2e")
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await app.application(onListening: { port in portSink.yield(port) }).run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return LiveServer(app: app, port: port, tenantId: tenant.id, apiKey: key, task: task, dataDirectory: directory)
    }

    /// A fresh token for `externalId` (the user is created when missing).
    func token(for externalId: String, ttl: Int = 3600) async throws -> String {
        try await app.admin.userToken(tenant: tenantId, externalId: externalId, ttlSeconds: ttl).token
    }

    /// An SDK client for `externalId`.
    func client(for externalId: String, configure: (inout PoolseConfiguration) -> Void = { _ in }) -> Poolse {
        var configuration = PoolseConfiguration(apiURL: url) { [self] in try await self.token(for: externalId) }
        configure(&configuration)
        return Poolse(configuration)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await app.close()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// Runs `body` with a started server and stops it afterwards, whatever happens.
func withLiveServer<T: Sendable>(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                                 _ body: (LiveServer) async throws -> T) async throws -> T {
    let server = try await LiveServer.start(configure)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
