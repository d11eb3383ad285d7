import SQLKit

/// Reads the realtime events need after a commit.
extension Queries {
    /// Every member's unread count in one conversation (members with nothing unread are
    /// present with 0), optionally only for `userIds`. Counted as in `unreadCounts`: the gap
    /// between the conversation's last sequence and the member's cursor, less deleted messages.
    func unreadCountsByMember(conversationId: String, userIds: [String]? = nil) async throws -> [String: Int] {
        if let userIds, userIds.isEmpty { return [:] }
        let only: SQLQueryString = userIds.map { "AND m.user_id IN (\(binds: $0))" } ?? ""
        let rows = try await db.raw("""
            SELECT m.user_id AS user_id, m.last_read_sequence AS cursor, c.last_sequence AS last FROM memberships m
            JOIN conversations c ON c.id = m.conversation_id
            WHERE m.conversation_id = \(bind: conversationId) \(only)
            """).all()
        var cursors: [(userId: String, cursor: Int64, last: Int64)] = []
        for row in rows { cursors.append((try row.string("user_id"), try row.int64("cursor"), try row.int64("last"))) }
        let deleted = try await deletedSequences(conversationIds: [conversationId],
                                                 after: cursors.map(\.cursor).min() ?? 0)[conversationId] ?? []
        var counts: [String: Int] = [:]
        for member in cursors {
            counts[member.userId] = Self.unread(last: member.last, cursor: member.cursor, deleted: deleted)
        }
        return counts
    }

    /// The conversation a message belongs to (messages never move).
    func conversationId(ofMessage id: String, tenantId: String) async throws -> String? {
        try await db.raw("""
            SELECT conversation_id FROM messages WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map { try $0.string("conversation_id") }
    }
}
