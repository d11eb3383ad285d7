import PoolseWire
import SQLKit

extension Queries {
    static let messageSelect = """
        SELECT msg.id, msg.tenant_id, msg.conversation_id, msg.sender_id, u.external_id AS sender_external_id, msg.type,
          msg.body, msg.reply_to_id, msg.thread_root_id, msg.reply_count, msg.quoted_message_id, msg.mentions,
          msg.edited_at, msg.deleted_at, msg.sequence, msg.inserted_at, msg.updated_at, msg.pinned_at, msg.pinned_by,
          q.id AS q_id, q.sender_id AS q_sender_id, qu.external_id AS q_sender_external_id, q.body AS q_body,
          q.deleted_at AS q_deleted_at, q.inserted_at AS q_inserted_at
        FROM messages msg
        JOIN users u ON u.id = msg.sender_id
        LEFT JOIN messages q ON q.id = msg.quoted_message_id
        LEFT JOIN users qu ON qu.id = q.sender_id
        """

    /// A message with its reactions and attachments.
    func message(id: String, tenantId: String) async throws -> Message? {
        guard let row = try await db.raw("""
            \(unsafeRaw: Self.messageSelect) WHERE msg.id = \(bind: id) AND msg.tenant_id = \(bind: tenantId)
            """).first() else { return nil }
        return try await withAttachments(withReactions([Self.message(row)])).first
    }

    /// Leaves out the messages of senders `viewer` blocks (nothing when nil).
    static func hidingBlockedSenders(of viewer: String?) -> SQLQueryString {
        guard let viewer else { return "" }
        return " AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = \(bind: viewer) AND b.blocked_id = msg.sender_id)"
    }

    /// The main feed (no thread replies), newest first, strictly before `before` when given;
    /// without the messages of senders `viewer` blocks.
    func feed(conversationId: String, before: Int64?, limit: Int, viewer: String? = nil) async throws -> [Message] {
        let beforeClause: SQLQueryString = before.map { "AND msg.sequence < \(bind: $0)" } ?? ""
        let rows = try await db.raw("""
            \(unsafeRaw: Self.messageSelect)
            WHERE msg.conversation_id = \(bind: conversationId) AND msg.thread_root_id IS NULL \(beforeClause)
              \(Self.hidingBlockedSenders(of: viewer))
            ORDER BY msg.sequence DESC LIMIT \(bind: limit)
            """).all()
        return try await withAttachments(withReactions(rows.map(Self.message)))
    }

    /// Every message (replies included) with a sequence above `after`, oldest first; without
    /// the messages of senders `viewer` blocks.
    func catchUp(conversationId: String, after: Int64, limit: Int, viewer: String? = nil) async throws -> [Message] {
        let rows = try await db.raw("""
            \(unsafeRaw: Self.messageSelect)
            WHERE msg.conversation_id = \(bind: conversationId) AND msg.sequence > \(bind: after)
              \(Self.hidingBlockedSenders(of: viewer))
            ORDER BY msg.sequence ASC LIMIT \(bind: limit)
            """).all()
        return try await withAttachments(withReactions(rows.map(Self.message)))
    }

    /// A thread's replies, oldest first, strictly after `after` when given; without the
    /// messages of senders `viewer` blocks.
    func replies(rootId: String, after: Int64?, limit: Int, viewer: String? = nil) async throws -> [Message] {
        let afterClause: SQLQueryString = after.map { "AND msg.sequence > \(bind: $0)" } ?? ""
        let rows = try await db.raw("""
            \(unsafeRaw: Self.messageSelect)
            WHERE msg.thread_root_id = \(bind: rootId) \(afterClause) \(Self.hidingBlockedSenders(of: viewer))
            ORDER BY msg.sequence ASC LIMIT \(bind: limit)
            """).all()
        return try await withAttachments(withReactions(rows.map(Self.message)))
    }

    func insertMessage(_ m: Message) async throws {
        try await db.raw("""
            INSERT INTO messages (id, tenant_id, conversation_id, sender_id, type, body, reply_to_id, thread_root_id,
              reply_count, quoted_message_id, mentions, sequence, inserted_at, updated_at)
            VALUES (\(bind: m.id), \(bind: m.tenantId), \(bind: m.conversationId), \(bind: m.senderId),
              \(bind: m.type.rawValue), \(bind: m.body), \(bind: m.replyToId), \(bind: m.threadRootId), 0,
              \(bind: m.quotedMessageId), \(bind: JSONText.encode(m.mentions) ?? "[]"), \(bind: m.sequence),
              \(bind: WireTime.micros(m.insertedAt)), \(bind: WireTime.micros(m.updatedAt)))
            """).run()
    }

    /// Whether any row (in any tenant) has this id: client ids must be globally unique.
    func messageExists(id: String) async throws -> Bool {
        try await db.raw("SELECT id FROM messages WHERE id = \(bind: id)").first() != nil
    }

    func incrementReplyCount(rootId: String, at time: Int64) async throws {
        try await db.raw("""
            UPDATE messages SET reply_count = reply_count + 1, updated_at = \(bind: time) WHERE id = \(bind: rootId)
            """).run()
    }

    func editMessage(id: String, body: String, at time: Int64) async throws {
        try await db.raw("""
            UPDATE messages SET body = \(bind: body), edited_at = \(bind: time), updated_at = \(bind: time)
            WHERE id = \(bind: id)
            """).run()
    }

    /// Turns a message into a tombstone: body, mentions, pin, reactions and attachments are gone, the row stays.
    func tombstone(id: String, at time: Int64) async throws {
        try await db.raw("""
            UPDATE messages SET body = NULL, mentions = '[]', deleted_at = \(bind: time), updated_at = \(bind: time),
              pinned_at = NULL, pinned_by = NULL
            WHERE id = \(bind: id)
            """).run()
        try await db.raw("DELETE FROM reactions WHERE message_id = \(bind: id)").run()
        try await markAttachmentsDeleted(messageId: id, at: time)
    }

    /// Adds a reaction; returns whether it is new.
    func addReaction(messageId: String, emoji: String, userId: String, at time: Int64) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO reactions (message_id, emoji, user_id, inserted_at)
            VALUES (\(bind: messageId), \(bind: emoji), \(bind: userId), \(bind: time))
            ON CONFLICT (message_id, emoji, user_id) DO NOTHING
            RETURNING message_id
            """).first()
        return row != nil
    }

    /// Removes a reaction; returns whether there was one.
    func removeReaction(messageId: String, emoji: String, userId: String) async throws -> Bool {
        let rows = try await db.raw("""
            DELETE FROM reactions WHERE message_id = \(bind: messageId) AND emoji = \(bind: emoji)
              AND user_id = \(bind: userId)
            RETURNING message_id
            """).all()
        return !rows.isEmpty
    }

    func distinctEmojiCount(messageId: String) async throws -> Int {
        guard let row = try await db.raw("""
            SELECT COUNT(DISTINCT emoji) AS n FROM reactions WHERE message_id = \(bind: messageId)
            """).first() else { return 0 }
        return try row.int("n")
    }

    func touchMessage(id: String, at time: Int64) async throws {
        try await db.raw("UPDATE messages SET updated_at = \(bind: time) WHERE id = \(bind: id)").run()
    }

    /// Fills `reactions` (emoji → user ids, in reaction order) for a page of messages.
    func withReactions(_ messages: [Message]) async throws -> [Message] {
        guard !messages.isEmpty else { return messages }
        let rows = try await db.raw("""
            SELECT message_id, emoji, user_id FROM reactions WHERE message_id IN (\(binds: messages.map(\.id)))
            ORDER BY inserted_at, user_id
            """).all()
        guard !rows.isEmpty else { return messages }
        var byMessage: [String: [String: [String]]] = [:]
        for row in rows {
            byMessage[try row.string("message_id"), default: [:]][try row.string("emoji"), default: []]
                .append(try row.string("user_id"))
        }
        return messages.map { message in
            var message = message
            message.reactions = byMessage[message.id] ?? [:]
            return message
        }
    }

    static func message(_ row: any SQLRow) throws -> Message {
        var quoted: QuotedMessagePreview?
        if let quotedId = try row.optionalString("q_id") {
            let deletedAt = try row.optionalDate("q_deleted_at")
            quoted = QuotedMessagePreview(
                id: quotedId, senderId: try row.optionalString("q_sender_id") ?? "",
                senderExternalId: try row.optionalString("q_sender_external_id") ?? "",
                body: deletedAt == nil ? (try row.optionalString("q_body")).map { String($0.prefix(200)) } : nil,
                deletedAt: deletedAt, insertedAt: try row.date("q_inserted_at"))
        }
        return Message(
            id: try row.string("id"), tenantId: try row.string("tenant_id"),
            conversationId: try row.string("conversation_id"), senderId: try row.string("sender_id"),
            senderExternalId: try row.string("sender_external_id"), type: MessageType(rawValue: try row.string("type")),
            body: try row.optionalString("body"), replyToId: try row.optionalString("reply_to_id"),
            threadRootId: try row.optionalString("thread_root_id"), replyCount: try row.int("reply_count"),
            quotedMessageId: try row.optionalString("quoted_message_id"), quotedMessage: quoted,
            mentions: JSONText.decodeStrings(try row.optionalString("mentions")), reactions: [:], attachments: [],
            editedAt: try row.optionalDate("edited_at"), deletedAt: try row.optionalDate("deleted_at"),
            sequence: try row.int64("sequence"), insertedAt: try row.date("inserted_at"),
            updatedAt: try row.date("updated_at"), pinnedAt: try row.optionalDate("pinned_at"),
            pinnedBy: try row.optionalString("pinned_by"))
    }
}
