import PoolseWire
import SQLKit

extension Queries {
    private static let membershipSelect = """
        SELECT m.id, m.tenant_id, m.conversation_id, m.user_id, u.external_id, m.role, m.last_read_message_id,
          m.last_read_sequence, m.last_read_at, m.muted_until, m.inserted_at, m.updated_at
        FROM memberships m JOIN users u ON u.id = m.user_id
        """

    func membership(conversationId: String, userId: String) async throws -> Membership? {
        try await db.raw("""
            \(unsafeRaw: Self.membershipSelect)
            WHERE m.conversation_id = \(bind: conversationId) AND m.user_id = \(bind: userId)
            """).first().map(Self.membership)
    }

    func memberships(conversationId: String) async throws -> [Membership] {
        try await db.raw("""
            \(unsafeRaw: Self.membershipSelect)
            WHERE m.conversation_id = \(bind: conversationId) ORDER BY m.inserted_at, m.id
            """).all().map(Self.membership)
    }

    func memberCount(conversationId: String) async throws -> Int {
        guard let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM memberships WHERE conversation_id = \(bind: conversationId)
            """).first() else { return 0 }
        return try row.int("n")
    }

    /// Inserts a membership unless the user is already a member; returns whether it was new.
    func insertMembership(_ m: Membership) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO memberships (id, tenant_id, conversation_id, user_id, role, last_read_sequence, inserted_at, updated_at)
            VALUES (\(bind: m.id), \(bind: m.tenantId), \(bind: m.conversationId), \(bind: m.userId),
              \(bind: m.role.rawValue), 0, \(bind: WireTime.micros(m.insertedAt)), \(bind: WireTime.micros(m.updatedAt)))
            ON CONFLICT (conversation_id, user_id) DO NOTHING
            RETURNING id
            """).first()
        return row != nil
    }

    func deleteMembership(conversationId: String, userId: String) async throws -> Bool {
        let rows = try await db.raw("""
            DELETE FROM memberships WHERE conversation_id = \(bind: conversationId) AND user_id = \(bind: userId)
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Moves a read cursor forward only; returns whether it moved.
    func advanceReadCursor(conversationId: String, userId: String, messageId: String, sequence: Int64,
                           at time: Int64) async throws -> Bool {
        let rows = try await db.raw("""
            UPDATE memberships SET last_read_message_id = \(bind: messageId), last_read_sequence = \(bind: sequence),
              last_read_at = \(bind: time), updated_at = \(bind: time)
            WHERE conversation_id = \(bind: conversationId) AND user_id = \(bind: userId)
              AND last_read_sequence < \(bind: sequence)
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    static func membership(_ row: any SQLRow) throws -> Membership {
        Membership(
            id: try row.string("id"), tenantId: try row.string("tenant_id"),
            conversationId: try row.string("conversation_id"), userId: try row.string("user_id"),
            externalId: try row.string("external_id"), role: MemberRole(rawValue: try row.string("role")),
            lastReadMessageId: try row.optionalString("last_read_message_id"),
            lastReadSequence: try row.int64("last_read_sequence"), lastReadAt: try row.optionalDate("last_read_at"),
            mutedUntil: try row.optionalDate("muted_until"), insertedAt: try row.date("inserted_at"), updatedAt: try row.date("updated_at"))
    }

    /// Sets (or clears, with nil) a member's mute; false when not a member.
    func setMute(conversationId: String, userId: String, until: Int64?, at time: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE memberships SET muted_until = \(bind: until), updated_at = \(bind: time)
            WHERE conversation_id = \(bind: conversationId) AND user_id = \(bind: userId)
            RETURNING id
            """).first() != nil
    }
}
