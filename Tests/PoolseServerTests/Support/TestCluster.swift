import Foundation
import HummingbirdTesting
import PoolseWire

@testable import PoolseServer

/// Several server nodes over one database, as a scaled-out deployment runs them: one
/// PostgreSQL database when the suite runs on PostgreSQL, otherwise one SQLite file
/// that every node opens. Nodes share the signing keys, so a token works on any node.
///
/// Realtime: on PostgreSQL every node gets its own `PostgresPubSub`, as in production, so events
/// really cross nodes through `LISTEN/NOTIFY`. On SQLite the nodes share one `InProcessPubSub`
/// (all nodes live in this process), which stands in for it: the same cross-node realtime tests
/// run on both.
struct TestCluster: Sendable {
    let nodes: [TestServer]

    static func make(nodes count: Int, _ configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in })
        async throws -> TestCluster
    {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-cluster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let databaseURL: String
        if let adminURL = TestDatabase.postgresAdminURL {
            databaseURL = try await TestDatabase.createPostgresDatabase(adminURL: adminURL)
        } else {
            databaseURL = "sqlite://\(root)/shared.sqlite3"
        }
        let secrets = try SigningKeys.generate().serialized
        var nodes: [TestServer] = []
        var apiKey: String?
        var tenantId = ""
        let sharedPubSub: (any PubSub)? = TestDatabase.postgresAdminURL == nil ? InProcessPubSub() : nil
        for index in 0..<count {
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.dataDirectory = "\(root)/node\(index)"
            configuration.databaseURL = databaseURL
            configuration.jwtSecrets = secrets
            configuration.logLevel = .warning
            // Tests run in parallel, each with its own server: a small pool keeps the PostgreSQL
            // suite under the cluster's max_connections.
            configuration.databasePoolSize = 4
            configure(&configuration)
            let app = try await PoolseApp.open(configuration, pubsub: sharedPubSub)
            if apiKey == nil {
                let created = try await app.admin.createTenant(name: "cluster")
                apiKey = created.apiKey
                tenantId = created.tenant.id
            }
            nodes.append(TestServer(app: app, apiKey: apiKey ?? "", tenantId: tenantId, dataDirectory: root,
                                    postgresURL: TestDatabase.postgresAdminURL == nil ? nil : databaseURL))
        }
        return TestCluster(nodes: nodes)
    }

    /// Runs every node on its own loopback port and hands `body` one client per node.
    func run<T: Sendable>(_ body: @escaping @Sendable ([APIClient]) async throws -> T) async throws -> T {
        do {
            let result = try await Self.serve(nodes[...], clients: [], body)
            for node in nodes { await node.cleanUp() }
            return result
        } catch {
            for node in nodes { await node.cleanUp() }
            throw error
        }
    }

    private static func serve<T: Sendable>(_ remaining: ArraySlice<TestServer>, clients: [APIClient],
                                           _ body: @escaping @Sendable ([APIClient]) async throws -> T) async throws -> T {
        guard let node = remaining.first else { return try await body(clients) }
        return try await node.app.application().test(.live) { client in
            try await serve(remaining.dropFirst(), clients: clients + [APIClient(client: client, server: node)], body)
        }
    }
}
