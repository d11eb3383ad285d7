import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

@testable import PoolseServer

/// The one server fixture of every test suite: `nodes` real PoolseServer nodes over one fresh
/// database, with one tenant and its API key, each node served on its own loopback port.
///
/// - Database: a new SQLite file, or a new PostgreSQL database when `POOLSE_TEST_POSTGRES_URL`
///   is set (`TestDatabase`); every node opens the same one, as a scaled-out deployment does.
/// - Realtime across nodes: on PostgreSQL each node has its own `LISTEN/NOTIFY` pub/sub, as in
///   production; on SQLite the nodes of one fixture share an in-process pub/sub standing in for it.
/// - Lifecycle: `open` opens the nodes without serving them (tests may prepare the database
///   first), `start` serves them, `stop`/`restart` take one node out and back (same port, same
///   data), `cleanUp` closes everything and drops the database. `run` does all of it around a body.
/// - Clients: `node(i)` gives a node's REST helpers and raw Phoenix sockets (`ServerNode`);
///   the suites add their own clients (the server tests' `APIClient`, the SDK's `Poolse`).
package final class ServerFixture: Sendable {
    package let apiKey: String
    package let tenantId: String
    /// The shared PostgreSQL database, when the suite runs on PostgreSQL.
    package let postgresURL: String?
    /// Holds every node's data directory.
    package let root: String
    private let sharedPubSub: (any PubSub)?
    private let pushSender: (any PushSender)?
    private let state: NIOLockedValueBox<[NodeState]>
    /// Tokens minted for the default lifetime, by external id: a client keeps getting one while
    /// its node is stopped, as an app keeps the token it has.
    private let tokens = NIOLockedValueBox<[String: String]>([:])

    private struct NodeState: Sendable {
        var app: PoolseApp
        var configuration: ServerConfiguration
        var group: ServiceGroup?
        var task: Task<Void, any Error>?
        var port: Int?
    }

    private init(apiKey: String, tenantId: String, postgresURL: String?, root: String, sharedPubSub: (any PubSub)?,
                 pushSender: (any PushSender)?, nodes: [NodeState]) {
        self.pushSender = pushSender
        self.apiKey = apiKey
        self.tenantId = tenantId
        self.postgresURL = postgresURL
        self.root = root
        self.sharedPubSub = sharedPubSub
        state = NIOLockedValueBox(nodes)
    }

    // MARK: - Opening and serving

    /// Opens `count` nodes over a fresh database without serving them. `relaxedRateLimits`
    /// scales every rate limit by 100, for tests that make many quick calls (the limits are
    /// tested on their own without it). `pushSender` stands in for the push providers (the
    /// transport seam), nil: the server's own providers.
    nonisolated(nonsending) package static func open(nodes count: Int = 1, relaxedRateLimits: Bool = false,
                             pushSender: (any PushSender)? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-fixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var postgresURL: String?
        if let adminURL = TestDatabase.postgresAdminURL {
            postgresURL = try await TestDatabase.createPostgresDatabase(adminURL: adminURL)
        }
        // One node keeps the defaults of a single server (its own key files, its own pub/sub);
        // several share what a deployment shares.
        let secrets = count > 1 ? try SigningKeys.generate().serialized : nil
        let sharedPubSub: (any PubSub)? = count > 1 && postgresURL == nil ? InProcessPubSub() : nil
        var nodes: [NodeState] = []
        var tenant: (apiKey: String, id: String)?
        for index in 0..<count {
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.dataDirectory = count > 1 ? "\(root)/node\(index)" : root
            configuration.logLevel = .error
            // Tests run in parallel, each with its own server: a small pool keeps the PostgreSQL
            // suite under the cluster's max_connections.
            configuration.databasePoolSize = 4
            if let postgresURL {
                configuration.databaseURL = postgresURL
            } else if count > 1 {
                configuration.databaseURL = "sqlite://\(root)/shared.sqlite3"
            }
            if let secrets { configuration.jwtSecrets = secrets }
            if relaxedRateLimits { configuration.rateLimits = RateLimits().scaled(by: 100) }
            configure(&configuration)
            let app = try await PoolseApp.open(configuration, logger: Self.logger(configuration), pubsub: sharedPubSub,
                                               pushSender: pushSender)
            if tenant == nil {
                let created = try await app.admin.createTenant(name: "tenant-\(UUID().uuidString.prefix(8))")
                tenant = (created.apiKey, created.tenant.id)
            }
            nodes.append(NodeState(app: app, configuration: configuration))
        }
        return ServerFixture(apiKey: tenant?.apiKey ?? "", tenantId: tenant?.id ?? "", postgresURL: postgresURL,
                             root: root, sharedPubSub: sharedPubSub, pushSender: pushSender, nodes: nodes)
    }

    /// Opens, serves every node, runs `body`, then cleans up whatever happened.
    nonisolated(nonsending) package static func run<T: Sendable>(nodes count: Int = 1, relaxedRateLimits: Bool = false,
                                         _ configure: (inout ServerConfiguration) -> Void = { _ in },
                                         _ body: (ServerFixture) async throws -> T) async throws -> T {
        try await open(nodes: count, relaxedRateLimits: relaxedRateLimits, configure).serve(body)
    }

    /// Serves every node, runs `body`, then cleans up whatever happened.
    nonisolated(nonsending) package func serve<T: Sendable>(_ body: (ServerFixture) async throws -> T) async throws -> T {
        do {
            try await start()
            let result = try await body(self)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// Serves every node that is not serving yet, each on a loopback port of its own.
    package func start() async throws {
        for index in 0..<count where state.withLockedValue({ $0[index].task == nil }) {
            try await serve(index)
        }
    }

    private func serve(_ index: Int) async throws {
        let node = state.withLockedValue { $0[index] }
        let (ports, portInput) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(services: [node.app.application(onListening: { portInput.yield($0) })],
                                 logger: Self.logger(node.configuration))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw TestFailure("node \(index) did not start")
        }
        state.withLockedValue { nodes in
            nodes[index].group = group
            nodes[index].task = task
            nodes[index].port = port
            // A restart listens on the same port, so clients and tokens keep working.
            nodes[index].configuration.port = port
        }
    }

    /// Stops serving node `index` (its sockets close, its services stop); with `closing`, its
    /// database connections close too, as when the process ends. Other nodes keep running.
    package func stop(_ index: Int = 0, closing: Bool = false) async {
        let node = state.withLockedValue { nodes in
            defer { nodes[index].group = nil; nodes[index].task = nil }
            return nodes[index]
        }
        await node.group?.triggerGracefulShutdown()
        _ = try? await node.task?.value
        if closing { await node.app.close() }
    }

    /// Starts node `index` again after `stop(index, closing: true)`: a new process over the same
    /// data, on the same port; `reconfigure` changes its configuration first (the port stays).
    package func restart(_ index: Int = 0, _ reconfigure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        var configuration = state.withLockedValue { $0[index].configuration }
        reconfigure(&configuration)
        state.withLockedValue { $0[index].configuration = configuration }
        let app = try await PoolseApp.open(configuration, logger: Self.logger(configuration), pubsub: sharedPubSub,
                                           pushSender: pushSender)
        state.withLockedValue { $0[index].app = app }
        try await serve(index)
    }

    /// Stops every node, closes every database connection and removes what the fixture made.
    package func cleanUp() async {
        for index in 0..<count { await stop(index) }
        // Every node closes before the shared database is dropped, so no listener sees it vanish.
        for node in state.withLockedValue({ $0 }) { await node.app.close() }
        try? FileManager.default.removeItem(atPath: root)
        if let postgresURL, let adminURL = TestDatabase.postgresAdminURL {
            await TestDatabase.dropPostgresDatabase(url: postgresURL, adminURL: adminURL)
        }
    }

    // MARK: - Nodes

    /// How many nodes the fixture has.
    package var count: Int { state.withLockedValue { $0.count } }

    /// Node `index`'s server (the current one, after a restart).
    package func app(_ index: Int = 0) -> PoolseApp { state.withLockedValue { $0[index].app } }

    /// Node 0's server.
    package var app: PoolseApp { app(0) }

    /// Node `index` while it is served: its port, REST helpers and sockets.
    package func node(_ index: Int = 0) -> ServerNode {
        let node = state.withLockedValue { $0[index] }
        return ServerNode(app: node.app, port: node.port ?? 0, apiKey: apiKey, tenantId: tenantId)
    }

    /// Every node, while served.
    package var nodes: [ServerNode] { (0..<count).map(node) }

    /// Node 0's address.
    package var url: URL { node().url }

    /// Node 0's port.
    package var port: Int { node().port }

    /// Node 0's data directory and its SQLite file.
    package var dataDirectory: String { state.withLockedValue { $0[0].configuration.dataDirectory } }
    package var databasePath: String { (dataDirectory as NSString).appendingPathComponent("poolse.sqlite3") }

    /// Another tenant in the same database; returns its API key.
    package func makeTenant() async throws -> String {
        try await app.admin.createTenant(name: "other-\(UUID().uuidString.prefix(8))").apiKey
    }

    /// A token for `externalId` (created when missing), minted as `poolse user token` does;
    /// one of the default lifetime is minted once per user.
    package func token(for externalId: String, ttl: Int = 3600) async throws -> String {
        if ttl == 3600, let token = tokens.withLockedValue({ $0[externalId] }) { return token }
        let token = try await app.admin.userToken(tenant: tenantId, externalId: externalId, ttlSeconds: ttl).token
        if ttl == 3600 { tokens.withLockedValue { $0[externalId] = token } }
        return token
    }

    /// Cuts every node's `LISTEN` connection from the database side, as a network failure or a
    /// database restart would; returns how many were cut (none on SQLite).
    package func cutListeners() async throws -> Int {
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

    private static func logger(_ configuration: ServerConfiguration) -> Logger {
        var logger = Logger(label: "poolse-test")
        logger.logLevel = configuration.logLevel
        return logger
    }
}
