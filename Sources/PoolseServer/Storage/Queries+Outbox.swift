import SQLKit

/// One committed change's events, waiting in `outbox_events` until they are published.
struct OutboxRow: Sendable, Equatable {
    let id: String
    let body: String
    let createdAt: Int64
}

extension Queries {
    /// Stores a change's events (in the change's transaction).
    func insertOutbox(_ row: OutboxRow) async throws {
        try await db.raw("""
            INSERT INTO outbox_events (id, body, created_at) VALUES (\(bind: row.id), \(bind: row.body), \(bind: row.createdAt))
            """).run()
    }

    /// Forgets published batches.
    func deleteOutbox(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await db.raw("DELETE FROM outbox_events WHERE id IN (\(binds: ids))").run()
    }

    /// The oldest batches written before `cutoff`, oldest first, locked for this transaction.
    /// On PostgreSQL other nodes skip the locked rows, so two sweeps never take the same batch;
    /// SQLite has one writer, which serialises sweeps anyway.
    func claimOutbox(createdBefore cutoff: Int64, limit: Int) async throws -> [OutboxRow] {
        let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await db.raw("""
            SELECT id, body, created_at FROM outbox_events WHERE created_at < \(bind: cutoff)
            ORDER BY created_at, id LIMIT \(bind: limit)\(lock)
            """).all()
        return try rows.map { OutboxRow(id: try $0.string("id"), body: try $0.string("body"), createdAt: try $0.int64("created_at")) }
    }

    /// How many batches wait (for `/metrics` and tests).
    func outboxCount() async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM outbox_events").first()?.int("n") ?? 0
    }
}
