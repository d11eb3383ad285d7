import PoolseWire
import SQLKit

/// A conversation row plus the per-caller extras the API adds.
struct ConversationRecord: Sendable {
    var conversation: Conversation
    var directKey: String?
}

extension Queries {
    private static let conversationColumns = """
        c.id, c.tenant_id, c.type, c.name, c.avatar_url, c.created_by_user_id, c.member_limit, c.custom_data,
        c.settings, c.direct_key, c.last_message_at, c.last_message_preview, c.last_sequence, c.frozen, c.inserted_at,
        c.updated_at
        """

    func conversation(id: String, tenantId: String) async throws -> ConversationRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.conversationColumns) FROM conversations c
            WHERE c.id = \(bind: id) AND c.tenant_id = \(bind: tenantId)
            """).first().map(Self.conversation)
    }

    func conversation(directKey: String, tenantId: String) async throws -> ConversationRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.conversationColumns) FROM conversations c
            WHERE c.direct_key = \(bind: directKey) AND c.tenant_id = \(bind: tenantId)
            """).first().map(Self.conversation)
    }

    /// Inserts a conversation; returns false when a direct conversation with the same
    /// pair already exists (the caller then returns that one).
    func insertConversation(_ record: ConversationRecord) async throws -> Bool {
        let c = record.conversation
        let row = try await db.raw("""
            INSERT INTO conversations (id, tenant_id, type, name, avatar_url, created_by_user_id, member_limit,
              custom_data, settings, direct_key, last_sequence, inserted_at, updated_at)
            VALUES (\(bind: c.id), \(bind: c.tenantId), \(bind: c.type.rawValue), \(bind: c.name), \(bind: c.avatarURL),
              \(bind: c.createdByUserId), \(bind: c.memberLimit), \(bind: JSONText.encode(c.customData)),
              \(bind: JSONText.encode(c.settings)), \(bind: record.directKey), 0,
              \(bind: WireTime.micros(c.insertedAt)), \(bind: WireTime.micros(c.updatedAt)))
            ON CONFLICT DO NOTHING
            RETURNING id
            """).first()
        return row != nil
    }

    func updateConversation(_ c: Conversation) async throws {
        try await db.raw("""
            UPDATE conversations SET name = \(bind: c.name), avatar_url = \(bind: c.avatarURL),
              member_limit = \(bind: c.memberLimit), custom_data = \(bind: JSONText.encode(c.customData)),
              settings = \(bind: JSONText.encode(c.settings)), frozen = \(bind: c.frozen ? 1 : 0),
              updated_at = \(bind: WireTime.micros(c.updatedAt))
            WHERE id = \(bind: c.id) AND tenant_id = \(bind: c.tenantId)
            """).run()
    }

    /// The caller's conversations, most recent activity first.
    func conversations(userId: String, tenantId: String) async throws -> [ConversationRecord] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.conversationColumns) FROM conversations c
            JOIN memberships m ON m.conversation_id = c.id
            WHERE m.user_id = \(bind: userId) AND c.tenant_id = \(bind: tenantId)
            ORDER BY COALESCE(c.last_message_at, c.inserted_at) DESC, c.id
            """).all().map(Self.conversation)
    }

    /// Takes the next sequence of a conversation. Called in the insert's transaction, so
    /// the row lock (PostgreSQL) or the single writer (SQLite) keeps sequences gap-free.
    /// Nil when there is no such conversation.
    func nextSequence(conversationId: String) async throws -> Int64? {
        try await db.raw("""
            UPDATE conversations SET last_sequence = last_sequence + 1 WHERE id = \(bind: conversationId)
            RETURNING last_sequence
            """).first()?.int64("last_sequence")
    }

    func recordLastMessage(conversationId: String, at time: Int64, preview: String?) async throws {
        try await db.raw("""
            UPDATE conversations SET last_message_at = \(bind: time), last_message_preview = \(bind: preview),
              updated_at = \(bind: time)
            WHERE id = \(bind: conversationId)
            """).run()
    }

    func setPreview(conversationId: String, preview: String?) async throws {
        try await db.raw("""
            UPDATE conversations SET last_message_preview = \(bind: preview) WHERE id = \(bind: conversationId)
            """).run()
    }

    /// Messages after `userId`'s read cursor that others sent and that are not deleted.
    ///
    /// Counted without scanning the unread messages: a user's own send moves their cursor to
    /// it in the same transaction and cursors never move back, so no own message is ever past
    /// the cursor, and unread = `last_sequence - last_read_sequence` less the deleted messages
    /// past the cursor. That keeps `conversation:updated` to a 1,000-member room cheap after
    /// every message, however long members stay away.
    func unreadCounts(userId: String, conversationIds: [String]) async throws -> [String: Int] {
        guard !conversationIds.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT m.conversation_id AS conversation_id, m.last_read_sequence AS cursor, c.last_sequence AS last
            FROM memberships m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.user_id = \(bind: userId) AND m.conversation_id IN (\(binds: conversationIds))
            """).all()
        var cursors: [String: (cursor: Int64, last: Int64)] = [:]
        for row in rows { cursors[try row.string("conversation_id")] = (try row.int64("cursor"), try row.int64("last")) }
        let behind = cursors.filter { $0.value.last > $0.value.cursor }
        let deleted = try await deletedSequences(conversationIds: Array(behind.keys),
                                                 after: behind.values.map(\.cursor).min() ?? 0)
        var counts: [String: Int] = [:]
        for (id, member) in cursors {
            counts[id] = Self.unread(last: member.last, cursor: member.cursor, deleted: deleted[id] ?? [])
        }
        return counts
    }

    /// Sequences of deleted messages above `after`, per conversation.
    func deletedSequences(conversationIds: [String], after: Int64) async throws -> [String: [Int64]] {
        guard !conversationIds.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT conversation_id, sequence FROM messages
            WHERE conversation_id IN (\(binds: conversationIds)) AND sequence > \(bind: after) AND deleted_at IS NOT NULL
            """).all()
        var result: [String: [Int64]] = [:]
        for row in rows { result[try row.string("conversation_id"), default: []].append(try row.int64("sequence")) }
        return result
    }

    /// Unread messages between `cursor` and `last`, less the deleted ones in that range.
    static func unread(last: Int64, cursor: Int64, deleted: [Int64]) -> Int {
        guard last > cursor else { return 0 }
        return Int(last - cursor) - deleted.filter { $0 > cursor && $0 <= last }.count
    }

    /// External ids of every member, per conversation.
    func memberExternalIds(conversationIds: [String]) async throws -> [String: [String]] {
        guard !conversationIds.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT m.conversation_id AS conversation_id, u.external_id AS external_id FROM memberships m
            JOIN users u ON u.id = m.user_id
            WHERE m.conversation_id IN (\(binds: conversationIds))
            ORDER BY m.inserted_at, u.external_id
            """).all()
        var result: [String: [String]] = [:]
        for row in rows { result[try row.string("conversation_id"), default: []].append(try row.string("external_id")) }
        return result
    }

    static func conversation(_ row: any SQLRow) throws -> ConversationRecord {
        ConversationRecord(
            conversation: Conversation(
                id: try row.string("id"), tenantId: try row.string("tenant_id"),
                type: ConversationType(rawValue: try row.string("type")), name: try row.optionalString("name"),
                avatarURL: try row.optionalString("avatar_url"),
                createdByUserId: try row.optionalString("created_by_user_id"),
                memberLimit: try row.optionalInt("member_limit"), customData: try row.jsonObject("custom_data"),
                settings: try row.jsonObject("settings"), lastMessageAt: try row.optionalDate("last_message_at"),
                lastMessagePreview: try row.optionalString("last_message_preview"),
                lastSequence: try row.int64("last_sequence"), frozen: try row.bool("frozen"),
                insertedAt: try row.date("inserted_at"),
                updatedAt: try row.date("updated_at")),
            directKey: try row.optionalString("direct_key"))
    }
}
