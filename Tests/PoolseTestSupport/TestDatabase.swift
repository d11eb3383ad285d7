import Foundation
import Logging
import PostgresNIO

@testable import PoolseServer

/// Which database the suite runs on. `swift test` uses SQLite; with
/// `POOLSE_TEST_POSTGRES_URL=postgres://user@127.0.0.1:5432/postgres` every server test
/// gets its own fresh PostgreSQL database instead (`.ci/run` does both).
package enum TestDatabase {
    package static var postgresAdminURL: String? {
        let url = ProcessInfo.processInfo.environment["POOLSE_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// A new empty PostgreSQL database; returns its URL.
    package static func createPostgresDatabase(adminURL: String) async throws -> String {
        let name = "poolse_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await withAdminConnection(adminURL) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "poolse.test")) }
        guard var components = URLComponents(string: adminURL) else { throw ConfigError("bad POOLSE_TEST_POSTGRES_URL") }
        components.path = "/\(name)"
        return components.string ?? adminURL
    }

    /// Drops a database made by `createPostgresDatabase`.
    package static func dropPostgresDatabase(url: String, adminURL: String) async {
        guard let name = URLComponents(string: url)?.path.dropFirst(), name.hasPrefix("poolse_test_") else { return }
        try? await withAdminConnection(adminURL) {
            try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Logger(label: "poolse.test"))
        }
    }

    private static func withAdminConnection(_ url: String, _ body: @Sendable (PostgresConnection) async throws -> Void) async throws {
        let configuration = try PostgresStorage.clientConfiguration(url: url, poolSize: 1)
        let client = PostgresClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.withConnection { try await body($0) }
        }
    }
}
