import SQLKit

/// A SQL database the `Store` runs on. SQLite (embedded, one writer) and PostgreSQL
/// (pooled) implement it, so the `Store`'s SQL is written once.
protocol SQLStorage: Sendable {
    /// Which engine: a few statements differ (e.g. `BEGIN IMMEDIATE`).
    var engine: SQLEngine { get }
    /// Runs reads that need no transaction, on a connection that never sees uncommitted writes.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Closes every connection.
    func close() async
}

/// The SQL engines the store supports.
enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

extension SQLDatabase {
    /// Runs `body` between `begin` and `COMMIT` on this connection, rolling back when it throws.
    func inTransaction<T: Sendable>(begin: SQLQueryString = "BEGIN",
                                    _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await raw(begin).run()
        do {
            let result = try await body(self)
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}
