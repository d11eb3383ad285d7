import Foundation
import Logging
import PoolseWire
import Testing

@testable import PoolseServer

/// A database made by an earlier version keeps its data when this version's migrations run.
@Suite("Migrations upgrade an existing database")
struct MigrationUpgradeTests {
    @Test func theSafetyMigrationKeepsConversationsMembersAndMessages() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-upgrade-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try await SQLiteStorage.open(path: directory + "/db.sqlite3", logger: Logger(label: "upgrade-test"))
        let store = Store(storage: storage)
        // The schema as the release before the safety work left it, with data in it.
        try await Migrations.migrate(storage, upTo: 5)
        let now = WallClock.nowMicros()
        try await store.transaction { q in
            try await q.db.raw("INSERT INTO tenants (id, name, inserted_at) VALUES ('t', 'acme', \(bind: now))").run()
            try await q.db.raw("""
                INSERT INTO users (id, tenant_id, external_id, is_blocked, inserted_at, updated_at)
                VALUES ('u', 't', 'ann', 0, \(bind: now), \(bind: now))
                """).run()
            try await q.db.raw("""
                INSERT INTO conversations (id, tenant_id, type, name, last_sequence, inserted_at, updated_at)
                VALUES ('c', 't', 'group', 'room', 1, \(bind: now), \(bind: now))
                """).run()
            try await q.db.raw("""
                INSERT INTO memberships (id, tenant_id, conversation_id, user_id, role, last_read_sequence, inserted_at, updated_at)
                VALUES ('m', 't', 'c', 'u', 'owner', 1, \(bind: now), \(bind: now))
                """).run()
            try await q.db.raw("""
                INSERT INTO messages (id, tenant_id, conversation_id, sender_id, type, body, sequence, inserted_at, updated_at)
                VALUES ('msg', 't', 'c', 'u', 'text', 'kept', 1, \(bind: now), \(bind: now))
                """).run()
        }
        try await Migrations.migrate(storage)
        let conversation = try #require(try await store.read { try await $0.conversation(id: "c", tenantId: "t") })
        #expect(conversation.conversation.name == "room")
        #expect(conversation.conversation.frozen == false)
        let membership = try #require(try await store.read { try await $0.membership(conversationId: "c", userId: "u") })
        #expect(membership.role == MemberRole.owner)
        #expect(membership.mutedUntil == nil)
        #expect(try await store.read { try await $0.message(id: "msg", tenantId: "t") }?.body == "kept")
        #expect(try await store.read { try await $0.blocks(blocker: "u") }.isEmpty)
        await store.close()
    }
}
