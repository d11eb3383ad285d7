import Foundation

/// `message:pinned` and `message:unpinned` on `conversation:<id>`.
///
/// `pinnedBy` and `pinnedAt` describe the pin: the new one for `message:pinned`, the one that
/// was removed for `message:unpinned` (whose `unpinnedBy` says who removed it; a message loses
/// its pin when it is deleted, and then `unpinnedBy` is whoever deleted it).
public struct MessagePinEvent: Codable, Hashable, Sendable {
    /// The pinned or unpinned message.
    public var messageId: String
    /// Its conversation.
    public var conversationId: String
    /// Who pinned it.
    public var pinnedBy: String?
    /// When it was pinned.
    public var pinnedAt: Date?
    /// Who removed the pin (`message:unpinned` only).
    public var unpinnedBy: String?

    /// Creates the event.
    public init(messageId: String, conversationId: String, pinnedBy: String?, pinnedAt: Date?, unpinnedBy: String? = nil) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.pinnedBy = pinnedBy
        self.pinnedAt = pinnedAt
        self.unpinnedBy = unpinnedBy
    }

    enum CodingKeys: String, CodingKey {
        case messageId = "message_id", conversationId = "conversation_id", pinnedBy = "pinned_by",
             pinnedAt = "pinned_at", unpinnedBy = "unpinned_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messageId, forKey: .messageId)
        try c.encode(conversationId, forKey: .conversationId)
        try c.encode(pinnedBy, forKey: .pinnedBy)
        try c.encode(pinnedAt, forKey: .pinnedAt)
        try c.encodeIfPresent(unpinnedBy, forKey: .unpinnedBy)
    }
}
