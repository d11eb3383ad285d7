/// `POST /v1/conversations/:id/messages` (PROTOCOL.md §4.1).
public struct MessageCreateRequest: Codable, Hashable, Sendable {
    /// Client-supplied id that makes a resend safe; the SDK fills it in when nil.
    public var id: String?
    /// Text; may be nil only when `attachmentIds` is not empty.
    public var body: String?
    /// `text` (default), `system` or `custom`.
    public var type: MessageType?
    /// Makes the message a thread reply to this message.
    public var replyToId: String?
    /// Quotes this message (the quote stays in the main feed).
    public var quotedMessageId: String?
    /// User ids to notify.
    public var mentions: [String]?
    /// Uploaded attachments to link (at most 10).
    public var attachmentIds: [String]?

    /// Creates the request.
    public init(id: String? = nil, body: String? = nil, type: MessageType? = nil, replyToId: String? = nil,
                quotedMessageId: String? = nil, mentions: [String]? = nil, attachmentIds: [String]? = nil) {
        self.id = id
        self.body = body
        self.type = type
        self.replyToId = replyToId
        self.quotedMessageId = quotedMessageId
        self.mentions = mentions
        self.attachmentIds = attachmentIds
    }

    enum CodingKeys: String, CodingKey {
        case id, body, type, replyToId = "reply_to_id", quotedMessageId = "quoted_message_id", mentions,
             attachmentIds = "attachment_ids"
    }
}

/// `PATCH /v1/messages/:id`.
public struct MessageUpdateRequest: Codable, Hashable, Sendable {
    /// The new body.
    public var body: String

    /// Creates the request.
    public init(body: String) { self.body = body }
}

/// `POST /v1/messages/:id/reactions`.
public struct ReactionRequest: Codable, Hashable, Sendable {
    /// The emoji (any short string).
    public var emoji: String

    /// Creates the request.
    public init(emoji: String) { self.emoji = emoji }
}
