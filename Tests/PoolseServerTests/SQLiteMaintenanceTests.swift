import Foundation
import Logging
import Testing

@testable import PoolseServer

/// The SQLite housekeeping that runs between writes instead of inside them: search index
/// merges (FTS5 `automerge` is off since migration 11) and WAL checkpoints.
@Suite("SQLite maintenance")
struct SQLiteMaintenanceTests {
    private func withStorage(_ body: (SQLiteStorage, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-maint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/db.sqlite3"
        let storage = try await SQLiteStorage.open(path: path, logger: Logger(label: "maintenance-test"))
        try await Migrations.migrate(storage)
        try await Store(storage: storage).transaction { q in
            try await q.db.raw("INSERT INTO tenants (id, name, inserted_at) VALUES ('t', 'acme', 0)").run()
            try await q.db.raw("""
                INSERT INTO users (id, tenant_id, external_id, is_blocked, inserted_at, updated_at)
                VALUES ('u', 't', 'ann', 0, 0, 0)
                """).run()
            try await q.db.raw("""
                INSERT INTO conversations (id, tenant_id, type, name, last_sequence, inserted_at, updated_at)
                VALUES ('c', 't', 'group', 'room', 0, 0, 0)
                """).run()
        }
        do {
            try await body(storage, path)
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }

    /// One message per transaction, as sends are.
    private func send(_ count: Int, from start: Int, _ storage: SQLiteStorage) async throws {
        for index in start..<(start + count) {
            try await Store(storage: storage).transaction { q in
                try await q.db.raw("""
                    INSERT INTO messages (id, tenant_id, conversation_id, sender_id, type, body, sequence, inserted_at, updated_at)
                    VALUES (\(bind: "m\(index)"), 't', 'c', 'u', 'text', \(bind: "plum number \(index)"),
                            \(bind: Int64(index + 1)), \(bind: Int64(index)), \(bind: Int64(index)))
                    """).run()
            }
        }
    }

    private func count(_ sql: String, _ storage: SQLiteStorage) async throws -> Int64 {
        try await Store(storage: storage).read { q in try await q.db.raw("\(unsafeRaw: sql)").first()?.int64("n") ?? -1 }
    }

    @Test func theIndexHasPrefixIndexesAndLeavesMergingToTheService() async throws {
        try await withStorage { storage, _ in
            #expect(try await count("SELECT v AS n FROM message_search_config WHERE k = 'automerge'", storage) == 0)
            #expect(try await count("SELECT v AS n FROM message_search_config WHERE k = 'crisismerge'", storage) == 64)
            try await send(40, from: 0, storage)
            let before = try await count("SELECT count(*) AS n FROM message_search_data", storage)
            let service = SQLiteMaintenanceService(storage: storage, logger: Logger(label: "maintenance-test"))
            let mark = await service.mergeStep(since: 0)
            #expect(mark == storage.commits)
            let after = try await count("SELECT count(*) AS n FROM message_search_data", storage)
            // Forty one-message segments became a few larger ones.
            #expect(after < before, "index rows before \(before), after \(after)")
            // Nothing written since: the next step does nothing and keeps the mark.
            #expect(await service.mergeStep(since: mark) == mark)
            // The merged index still finds every message, by word and by an indexed prefix.
            let hits = try await Store(storage: storage).read { q in
                try await q.db.raw("SELECT count(*) AS n FROM message_search WHERE message_search MATCH 'pl*'").first()?.int64("n")
            }
            #expect(hits == 40)
        }
    }

    @Test func checkpointsLetTheWALStartOver() async throws {
        try await withStorage { storage, path in
            try await storage.onWriter("PRAGMA wal_autocheckpoint = 0")
            func walSize() throws -> Int {
                try (FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
            }
            try await send(30, from: 0, storage)
            let grown = try walSize()
            try await send(30, from: 30, storage)
            // Without checkpoints the WAL only grows.
            #expect(try walSize() > grown)
            let service = SQLiteMaintenanceService(storage: storage, logger: Logger(label: "maintenance-test"))
            #expect(await service.checkpointStep(since: 0) == storage.commits)
            let settled = try walSize()
            // Everything was copied into the database, so the next writes reuse the WAL from its start.
            try await send(30, from: 60, storage)
            #expect(try walSize() == settled)
        }
    }
}
