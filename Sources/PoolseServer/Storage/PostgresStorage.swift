import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL, for deployments with several server nodes: a pooled `PostgresClient`,
/// one leased connection per transaction, and the same SQL as SQLite.
final class PostgresStorage: SQLStorage {
    let engine = SQLEngine.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    private init(client: PostgresClient) {
        self.client = client
        runTask = Task { await client.run() }
    }

    /// Connects to `url` (`postgres://user:password@host:port/database[?sslmode=require]`)
    /// with a pool of at most `poolSize` connections.
    static func open(url: String, poolSize: Int, logger: Logger) async throws -> PostgresStorage {
        let configuration = try clientConfiguration(url: url, poolSize: poolSize)
        let storage = PostgresStorage(client: PostgresClient(configuration: configuration, backgroundLogger: logger))
        // Fail at start-up, not on the first request, when the database is unreachable.
        do {
            try await storage.read { db in _ = try await db.raw("SELECT 1 AS one").first() }
        } catch {
            await storage.close()
            throw ConfigError("can't reach PostgreSQL at \(redacted(url)): \(String(reflecting: error))")
        }
        return storage
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { try await body($0.sql()) }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { try await $0.sql().inTransaction(body) }
    }

    /// Runs `body` on one dedicated connection outside the pool's transaction helpers
    /// (LISTEN needs a connection of its own).
    func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection(body)
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }

    static func clientConfiguration(url: String, poolSize: Int) throws -> PostgresClient.Configuration {
        guard let parsed = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigError("not a PostgreSQL URL: \(redacted(url))")
        }
        let core = parsed.coreConfiguration
        guard let host = core.host, let port = core.port else {
            throw ConfigError("a PostgreSQL URL needs a host: \(redacted(url))")
        }
        let tls: PostgresClient.Configuration.TLS = url.contains("sslmode=require")
            ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: core.username, password: core.password, database: core.database, tls: tls)
        configuration.options.maximumConnections = max(1, poolSize)
        return configuration
    }

    /// The URL without its password, for error messages and logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparseable URL)" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "(unparseable URL)"
    }
}
