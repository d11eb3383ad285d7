import Foundation
import Logging
import PoolseWire
import PostgresNIO
import ServiceLifecycle

@testable import PoolseServer

/// The nodes of a `TestCluster`, each served on its own loopback port by its own service
/// group, so that a test can stop one node while the others keep running. Each node is a
/// `RealtimeTestServer`, so its REST and socket helpers work per node.
struct RealtimeTestCluster: Sendable {
    let nodes: [RealtimeTestServer]
    /// The shared PostgreSQL database, when the suite runs on PostgreSQL.
    let postgresURL: String?
    private let groups: [ServiceGroup]

    /// Runs `body` against `count` nodes over one database, then shuts every node down.
    static func run<T: Sendable>(nodes count: Int = 2,
                                 _ configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
                                 _ body: @Sendable (RealtimeTestCluster) async throws -> T) async throws -> T {
        let cluster = try await TestCluster.make(nodes: count) { configuration in
            configuration.logLevel = .error
            configuration.rateLimits = RateLimits().scaled(by: 100)
            configure(&configuration)
        }
        var logger = Logger(label: "poolse-test")
        logger.logLevel = .error
        let result: Result<T, any Error> = await withThrowingTaskGroup(of: Void.self) { tasks in
            defer { tasks.cancelAll() }
            var servers: [RealtimeTestServer] = []
            var groups: [ServiceGroup] = []
            do {
                for node in cluster.nodes {
                    let (ports, portInput) = AsyncStream<Int>.makeStream()
                    let group = ServiceGroup(services: [node.app.application(onListening: { portInput.yield($0) })],
                                             logger: logger)
                    groups.append(group)
                    tasks.addTask { try await group.run() }
                    var iterator = ports.makeAsyncIterator()
                    guard let port = await iterator.next() else { throw RealtimeTestFailure("a node did not start") }
                    servers.append(RealtimeTestServer(app: node.app, port: port, apiKey: node.apiKey))
                }
                let outcome = Result<T, any Error>.success(try await body(RealtimeTestCluster(
                    nodes: servers, postgresURL: cluster.nodes.first?.postgresURL, groups: groups)))
                for group in groups { await group.triggerGracefulShutdown() }
                return outcome
            } catch {
                for group in groups { await group.triggerGracefulShutdown() }
                return .failure(error)
            }
        }
        // Every node closes before the shared database is dropped, so no listener sees it vanish.
        for node in cluster.nodes { await node.app.close() }
        if let node = cluster.nodes.first {
            try? FileManager.default.removeItem(atPath: node.dataDirectory)
            if let url = node.postgresURL, let adminURL = TestDatabase.postgresAdminURL {
                await TestDatabase.dropPostgresDatabase(url: url, adminURL: adminURL)
            }
        }
        return try result.get()
    }

    /// Cuts every node's `LISTEN` connection from the database side, as a network failure or a
    /// database restart would; returns how many were cut (none on SQLite).
    func cutListeners() async throws -> Int {
        guard let postgresURL else { return 0 }
        let client = PostgresClient(configuration: try PostgresStorage.clientConfiguration(url: postgresURL, poolSize: 1))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await client.withConnection { connection in
                let rows = try await connection.query("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'
                    """, logger: Logger(label: "poolse.test"))
                var count = 0
                for try await _ in rows { count += 1 }
                return count
            }
        }
    }

    /// Stops serving node `index` (its sockets close, its gateway stops), as a node taken out
    /// of a deployment; its database connections stay until the cluster ends.
    func stop(_ index: Int) async {
        await groups[index].triggerGracefulShutdown()
    }
}
