import SQLKit

/// Reads the realtime events need after a commit.
extension Queries {
    /// Every member's unread count in one conversation, in one query (members with nothing
    /// unread are present with 0), optionally only for `userIds`. Counted as in `unreadCounts`.
    func unreadCountsByMember(conversationId: String, userIds: [String]? = nil) async throws -> [String: Int] {
        if let userIds, userIds.isEmpty { return [:] }
        let only: SQLQueryString = userIds.map { "AND m.user_id IN (\(binds: $0))" } ?? ""
        let rows = try await db.raw("""
            SELECT m.user_id AS user_id, COUNT(msg.id) AS unread FROM memberships m
            LEFT JOIN messages msg ON msg.conversation_id = m.conversation_id AND msg.sequence > m.last_read_sequence
              AND msg.sender_id <> m.user_id AND msg.deleted_at IS NULL
            WHERE m.conversation_id = \(bind: conversationId) \(only)
            GROUP BY m.user_id
            """).all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.string("user_id")] = try row.int("unread") }
        return counts
    }

    /// The conversation a message belongs to (messages never move).
    func conversationId(ofMessage id: String, tenantId: String) async throws -> String? {
        try await db.raw("""
            SELECT conversation_id FROM messages WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map { try $0.string("conversation_id") }
    }
}
