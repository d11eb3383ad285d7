import Foundation

/// A message (PROTOCOL.md §7). Deleted messages stay as tombstones with `deletedAt` set
/// and no body or attachments.
public struct Message: Codable, Hashable, Sendable, Identifiable {
    /// Message id (client-supplied or generated).
    public var id: String
    /// Owning tenant.
    public var tenantId: String
    /// The conversation it belongs to.
    public var conversationId: String
    /// The sender's poolse id.
    public var senderId: String
    /// The sender's external id.
    public var senderExternalId: String
    /// `text`, `system` or `custom`.
    public var type: MessageType
    /// Text, nil for attachment-only messages and tombstones.
    public var body: String?
    /// The message this one replies to in a thread.
    public var replyToId: String?
    /// The root of the thread this reply belongs to.
    public var threadRootId: String?
    /// Number of thread replies (on thread roots).
    public var replyCount: Int?
    /// The quoted message, when this message quotes one.
    public var quotedMessageId: String?
    /// A preview of the quoted message.
    public var quotedMessage: QuotedMessagePreview?
    /// Mentioned user ids.
    public var mentions: [String]
    /// Reactions: emoji → the ids of the users who reacted with it.
    public var reactions: [String: [String]]
    /// Linked attachments.
    public var attachments: [Attachment]?
    /// Set when the body was edited.
    public var editedAt: Date?
    /// Set when the message was deleted.
    public var deletedAt: Date?
    /// Gap-free per-conversation order, assigned by the server.
    public var sequence: Int64
    /// Creation time.
    public var insertedAt: Date
    /// Last update time.
    public var updatedAt: Date
    /// When the message was pinned in its conversation; nil when it is not pinned.
    public var pinnedAt: Date?
    /// Who pinned it; nil when it is not pinned.
    public var pinnedBy: String?

    /// Creates a message value.
    public init(id: String, tenantId: String, conversationId: String, senderId: String, senderExternalId: String,
                type: MessageType = .text, body: String?, replyToId: String? = nil, threadRootId: String? = nil,
                replyCount: Int? = nil, quotedMessageId: String? = nil, quotedMessage: QuotedMessagePreview? = nil,
                mentions: [String] = [], reactions: [String: [String]] = [:], attachments: [Attachment]? = nil,
                editedAt: Date? = nil, deletedAt: Date? = nil, sequence: Int64, insertedAt: Date, updatedAt: Date,
                pinnedAt: Date? = nil, pinnedBy: String? = nil) {
        self.id = id
        self.tenantId = tenantId
        self.conversationId = conversationId
        self.senderId = senderId
        self.senderExternalId = senderExternalId
        self.type = type
        self.body = body
        self.replyToId = replyToId
        self.threadRootId = threadRootId
        self.replyCount = replyCount
        self.quotedMessageId = quotedMessageId
        self.quotedMessage = quotedMessage
        self.mentions = mentions
        self.reactions = reactions
        self.attachments = attachments
        self.editedAt = editedAt
        self.deletedAt = deletedAt
        self.sequence = sequence
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
        self.pinnedAt = pinnedAt
        self.pinnedBy = pinnedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", conversationId = "conversation_id", senderId = "sender_id",
             senderExternalId = "sender_external_id", type, body, replyToId = "reply_to_id",
             threadRootId = "thread_root_id", replyCount = "reply_count", quotedMessageId = "quoted_message_id",
             quotedMessage = "quoted_message", mentions, reactions, attachments, editedAt = "edited_at",
             deletedAt = "deleted_at", sequence, insertedAt = "inserted_at", updatedAt = "updated_at",
             pinnedAt = "pinned_at", pinnedBy = "pinned_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tenantId = try c.decodeIfPresent(String.self, forKey: .tenantId) ?? ""
        conversationId = try c.decode(String.self, forKey: .conversationId)
        senderId = try c.decodeIfPresent(String.self, forKey: .senderId) ?? ""
        senderExternalId = try c.decodeIfPresent(String.self, forKey: .senderExternalId) ?? ""
        type = try c.decodeIfPresent(MessageType.self, forKey: .type) ?? .text
        body = try c.decodeIfPresent(String.self, forKey: .body)
        replyToId = try c.decodeIfPresent(String.self, forKey: .replyToId)
        threadRootId = try c.decodeIfPresent(String.self, forKey: .threadRootId)
        replyCount = try c.decodeIfPresent(Int.self, forKey: .replyCount)
        quotedMessageId = try c.decodeIfPresent(String.self, forKey: .quotedMessageId)
        quotedMessage = try c.decodeIfPresent(QuotedMessagePreview.self, forKey: .quotedMessage)
        mentions = try c.decodeIfPresent([String].self, forKey: .mentions) ?? []
        reactions = try c.decodeIfPresent([String: [String]].self, forKey: .reactions) ?? [:]
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments)
        editedAt = try c.decodeIfPresent(Date.self, forKey: .editedAt)
        deletedAt = try c.decodeIfPresent(Date.self, forKey: .deletedAt)
        sequence = try c.decode(Int64.self, forKey: .sequence)
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
        pinnedAt = try c.decodeIfPresent(Date.self, forKey: .pinnedAt)
        pinnedBy = try c.decodeIfPresent(String.self, forKey: .pinnedBy)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(conversationId, forKey: .conversationId)
        try c.encode(senderId, forKey: .senderId)
        try c.encode(senderExternalId, forKey: .senderExternalId)
        try c.encode(type, forKey: .type)
        try c.encode(body, forKey: .body)
        try c.encode(replyToId, forKey: .replyToId)
        try c.encode(threadRootId, forKey: .threadRootId)
        try c.encodeIfPresent(replyCount, forKey: .replyCount)
        try c.encode(quotedMessageId, forKey: .quotedMessageId)
        try c.encode(quotedMessage, forKey: .quotedMessage)
        try c.encode(mentions, forKey: .mentions)
        try c.encode(reactions, forKey: .reactions)
        try c.encode(attachments ?? [], forKey: .attachments)
        try c.encode(editedAt, forKey: .editedAt)
        try c.encode(deletedAt, forKey: .deletedAt)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(insertedAt, forKey: .insertedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        // Only pinned messages carry the pin fields, so the payload of every other message is unchanged.
        try c.encodeIfPresent(pinnedAt, forKey: .pinnedAt)
        try c.encodeIfPresent(pinnedBy, forKey: .pinnedBy)
    }
}

/// The preview of a quoted message carried inside the quoting message.
public struct QuotedMessagePreview: Codable, Hashable, Sendable {
    /// The quoted message's id.
    public var id: String
    /// Its sender.
    public var senderId: String
    /// Its sender's external id.
    public var senderExternalId: String
    /// Up to 200 characters of its body; nil when it was deleted.
    public var body: String?
    /// Set when the quoted message was deleted.
    public var deletedAt: Date?
    /// When it was sent.
    public var insertedAt: Date

    /// Creates a preview value.
    public init(id: String, senderId: String, senderExternalId: String, body: String?, deletedAt: Date?,
                insertedAt: Date) {
        self.id = id
        self.senderId = senderId
        self.senderExternalId = senderExternalId
        self.body = body
        self.deletedAt = deletedAt
        self.insertedAt = insertedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, senderId = "sender_id", senderExternalId = "sender_external_id", body,
             deletedAt = "deleted_at", insertedAt = "inserted_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        senderId = try c.decodeIfPresent(String.self, forKey: .senderId) ?? ""
        senderExternalId = try c.decodeIfPresent(String.self, forKey: .senderExternalId) ?? ""
        body = try c.decodeIfPresent(String.self, forKey: .body)
        deletedAt = try c.decodeIfPresent(Date.self, forKey: .deletedAt)
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(senderId, forKey: .senderId)
        try c.encode(senderExternalId, forKey: .senderExternalId)
        try c.encode(body, forKey: .body)
        try c.encode(deletedAt, forKey: .deletedAt)
        try c.encode(insertedAt, forKey: .insertedAt)
    }
}
