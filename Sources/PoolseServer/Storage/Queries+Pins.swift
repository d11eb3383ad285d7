import PoolseWire
import SQLKit

extension Queries {
    /// The conversation's pinned messages, newest pin first.
    func pinnedMessages(conversationId: String, limit: Int) async throws -> [Message] {
        let rows = try await db.raw("""
            \(unsafeRaw: Self.messageSelect)
            WHERE msg.conversation_id = \(bind: conversationId) AND msg.pinned_at IS NOT NULL
            ORDER BY msg.pinned_at DESC, msg.sequence DESC LIMIT \(bind: limit)
            """).all()
        return try await withAttachments(withReactions(rows.map(Self.message)))
    }

    /// How many messages of the conversation are pinned.
    func pinCount(conversationId: String) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM messages WHERE conversation_id = \(bind: conversationId) AND pinned_at IS NOT NULL
            """).first()?.int("n") ?? 0
    }

    /// Pins (`by` non-nil) or unpins (`by` nil) a message.
    func setPin(messageId: String, by userId: String?, at time: Int64?) async throws {
        try await db.raw("""
            UPDATE messages SET pinned_at = \(bind: time), pinned_by = \(bind: userId) WHERE id = \(bind: messageId)
            """).run()
    }
}
