import Foundation

/// Realtime event names of PROTOCOL.md §6.
public enum RealtimeEvent {
    public static let messageNew = "message:new"
    public static let messageUpdated = "message:updated"
    public static let messageDeleted = "message:deleted"
    public static let reactionAdded = "reaction:added"
    public static let reactionRemoved = "reaction:removed"
    public static let messagePinned = "message:pinned"
    public static let messageUnpinned = "message:unpinned"
    public static let memberRead = "member:read"
    public static let typingStart = "typing:start"
    public static let typingStop = "typing:stop"
    public static let presenceState = "presence_state"
    public static let presenceDiff = "presence_diff"
    public static let mentionNew = "mention:new"
    public static let conversationCreated = "conversation:created"
    public static let conversationUpdated = "conversation:updated"
    /// The client's typing push.
    public static let typing = "typing"
}

/// `message:deleted`.
public struct MessageDeletedEvent: Codable, Hashable, Sendable {
    /// The deleted message.
    public var id: String
    /// Its conversation.
    public var conversationId: String
    /// When it was deleted.
    public var deletedAt: Date?

    /// Creates the event.
    public init(id: String, conversationId: String, deletedAt: Date?) {
        self.id = id
        self.conversationId = conversationId
        self.deletedAt = deletedAt
    }

    enum CodingKeys: String, CodingKey { case id, conversationId = "conversation_id", deletedAt = "deleted_at" }
}

/// `reaction:added` and `reaction:removed`.
public struct ReactionEvent: Codable, Hashable, Sendable {
    /// The message reacted to.
    public var messageId: String
    /// Its conversation.
    public var conversationId: String
    /// The emoji.
    public var emoji: String
    /// Who reacted.
    public var userId: String

    /// Creates the event.
    public init(messageId: String, conversationId: String, emoji: String, userId: String) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.emoji = emoji
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey {
        case messageId = "message_id", conversationId = "conversation_id", emoji, userId = "user_id"
    }
}

/// `member:read`: a read receipt.
public struct MemberReadEvent: Codable, Hashable, Sendable {
    /// The reader.
    public var userId: String
    /// The conversation.
    public var conversationId: String
    /// The newest message they have read.
    public var lastReadMessageId: String?
    /// When.
    public var lastReadAt: Date?

    /// Creates the event.
    public init(userId: String, conversationId: String, lastReadMessageId: String?, lastReadAt: Date?) {
        self.userId = userId
        self.conversationId = conversationId
        self.lastReadMessageId = lastReadMessageId
        self.lastReadAt = lastReadAt
    }

    enum CodingKeys: String, CodingKey {
        case userId = "user_id", conversationId = "conversation_id", lastReadMessageId = "last_read_message_id",
             lastReadAt = "last_read_at"
    }
}

/// `typing:start` and `typing:stop`.
public struct TypingEvent: Codable, Hashable, Sendable {
    /// Who is typing.
    public var userId: String
    /// Their external id.
    public var externalId: String?

    /// Creates the event.
    public init(userId: String, externalId: String?) {
        self.userId = userId
        self.externalId = externalId
    }

    enum CodingKeys: String, CodingKey { case userId = "user_id", externalId = "external_id" }
}

/// `mention:new` on a user channel.
public struct MentionEvent: Codable, Hashable, Sendable {
    /// The message with the mention.
    public var messageId: String
    /// Its conversation.
    public var conversationId: String
    /// Who mentioned.
    public var senderId: String

    /// Creates the event.
    public init(messageId: String, conversationId: String, senderId: String) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.senderId = senderId
    }

    enum CodingKeys: String, CodingKey {
        case messageId = "message_id", conversationId = "conversation_id", senderId = "sender_id"
    }
}

/// `conversation:updated` on a user channel; the conversation carries the recipient's own unread count.
public struct ConversationUpdatedEvent: Codable, Hashable, Sendable {
    /// The conversation as the recipient sees it.
    public var conversation: Conversation
    /// Who caused the update (the sender of a new message), when known.
    public var byUserId: String?

    /// Creates the event.
    public init(conversation: Conversation, byUserId: String?) {
        self.conversation = conversation
        self.byUserId = byUserId
    }

    enum CodingKeys: String, CodingKey { case conversation, byUserId = "by_user_id" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(conversation, forKey: .conversation)
        try c.encode(byUserId, forKey: .byUserId)
    }
}
