import Foundation
import PoolseWire
import SQLKit

/// Direct access to the store for `poolse bench search`, which needs a million messages in
/// minutes rather than a million HTTP sends: bulk inserts that bypass the domain (no events,
/// no read cursors, no previews), and a switch for the SQLite search triggers so the bench can
/// measure what the index adds to a send. Not for anything but benchmarks.
public struct BenchSeeding: Sendable {
    let store: Store

    /// Appends `bodies` to a conversation as messages of `senderId`, `rowsPerStatement` rows per
    /// `INSERT` and `rowsPerTransaction` per transaction, timestamps one microsecond apart
    /// ending now. The conversation's `last_sequence` follows.
    public func insertMessages(tenantId: String, conversationId: String, senderId: String, bodies: [String],
                               rowsPerStatement: Int = 400, rowsPerTransaction: Int = 20_000) async throws {
        var start = 0
        let baseTime = WallClock.nowMicros() - Int64(bodies.count)
        while start < bodies.count {
            let end = min(start + rowsPerTransaction, bodies.count)
            let chunk = Array(bodies[start..<end])
            let offset = start
            try await store.transaction { q in
                guard let first = try await q.db.raw("""
                    SELECT last_sequence FROM conversations WHERE id = \(bind: conversationId)
                    """).first()?.int64("last_sequence") else { throw DomainError.notFound("conversation") }
                var index = 0
                while index < chunk.count {
                    let rows = chunk[index..<min(index + rowsPerStatement, chunk.count)]
                    var values: [SQLQueryString] = []
                    for (position, body) in rows.enumerated() {
                        let n = Int64(index + position)
                        let time = baseTime + Int64(offset) + n
                        values.append("""
                            (\(bind: IDs.make()), \(bind: tenantId), \(bind: conversationId), \(bind: senderId), 'text',
                             \(bind: body), \(bind: first + n + 1), \(bind: time), \(bind: time))
                            """)
                    }
                    try await q.db.raw("""
                        INSERT INTO messages (id, tenant_id, conversation_id, sender_id, type, body, sequence,
                          inserted_at, updated_at) VALUES \(values.joined(separator: ", "))
                        """).run()
                    index += rows.count
                }
                try await q.db.raw("""
                    UPDATE conversations SET last_sequence = \(bind: first + Int64(chunk.count)),
                      last_message_at = \(bind: baseTime + Int64(offset + chunk.count)) WHERE id = \(bind: conversationId)
                    """).run()
            }
            start = end
        }
    }

    /// Drops (false) or recreates (true) the SQLite triggers that keep the search index in step;
    /// messages written meanwhile are missing from the index. No-op on PostgreSQL, whose index
    /// is a generated column.
    public func setSearchIndexing(_ enabled: Bool) async throws {
        guard store.storage.engine == .sqlite else { return }
        let triggers = MessageSearchSchema.sqlite.filter { $0.contains("CREATE TRIGGER") }
        try await store.transaction { q in
            for name in ["message_search_insert", "message_search_update", "message_search_delete"] {
                try await q.db.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)").run()
            }
            if enabled {
                for statement in triggers { try await q.db.raw(SQLQueryString(statement)).run() }
            }
        }
    }
}

extension PoolseApp {
    /// Bulk seeding for benchmarks (see `BenchSeeding`).
    public var benchSeeding: BenchSeeding { BenchSeeding(store: store) }
}
