import Logging
import SQLKit

/// The one storage API the domain uses. All SQL lives in `Queries`; a `Store` only
/// decides which connection runs it: `read` for plain reads, `transaction` for
/// writes that must commit together.
struct Store: Sendable {
    let storage: any SQLStorage

    /// Runs reads outside a transaction.
    func read<T: Sendable>(_ body: @Sendable (Queries) async throws -> T) async throws -> T {
        try await storage.read { try await body(Queries(db: $0, engine: storage.engine)) }
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ body: @Sendable (Queries) async throws -> T) async throws -> T {
        try await storage.transaction { try await body(Queries(db: $0, engine: storage.engine)) }
    }

    /// Applies pending migrations.
    func migrate() async throws { try await Migrations.migrate(storage) }

    /// Closes the connections.
    func close() async { await storage.close() }
}

/// Typed SQL over one connection (inside or outside a transaction).
struct Queries: Sendable {
    let db: any SQLDatabase
    let engine: SQLEngine
}
