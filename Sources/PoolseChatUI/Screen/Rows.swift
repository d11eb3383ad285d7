/// One conversation in the list, as shown.
public struct ConversationRow: Equatable, Sendable {
    /// The conversation id.
    public var id: String
    /// The group's name, or the other person for a direct conversation.
    public var name: String
    /// Messages after the signed-in user's read cursor.
    public var unread: Int
    /// The last message's preview, if any.
    public var preview: String?

    /// Creates a row.
    public init(id: String, name: String, unread: Int = 0, preview: String? = nil) {
        self.id = id
        self.name = name
        self.unread = unread
        self.preview = preview
    }
}

/// One message, as shown: every text already decided (time in the viewer's zone, sizes
/// in words), so rendering needs no clock, calendar or SDK type.
public struct MessageRow: Equatable, Sendable {
    /// Where a message is on its way.
    public enum Delivery: Equatable, Sendable {
        /// Stored on the server, or waiting in the outbox.
        case sent, pending
        /// Refused for good, with the reason.
        case failed(String)
    }

    /// The message id (the client id of a send).
    public var id: String
    /// The sender's external id.
    public var sender: String
    /// "HH:mm" in the viewer's time zone.
    public var time: String
    /// The text; nil for a deletion or a files-only message.
    public var body: String?
    /// The text was changed after sending.
    public var isEdited: Bool
    /// A tombstone: shown as "(message deleted)".
    public var isDeleted: Bool
    /// Emoji and how many people reacted with each, in a stable order.
    public var reactions: [ReactionCount]
    /// Thread replies under this message.
    public var replyCount: Int
    /// Files: name and size in words.
    public var attachments: [AttachmentLabel]
    /// Sent, on its way, or refused.
    public var delivery: Delivery

    /// Creates a row; every argument but the first four has an empty default.
    public init(id: String, sender: String, time: String, body: String?, isEdited: Bool = false,
                isDeleted: Bool = false, reactions: [ReactionCount] = [], replyCount: Int = 0,
                attachments: [AttachmentLabel] = [], delivery: Delivery = .sent) {
        self.id = id
        self.sender = sender
        self.time = time
        self.body = body
        self.isEdited = isEdited
        self.isDeleted = isDeleted
        self.reactions = reactions
        self.replyCount = replyCount
        self.attachments = attachments
        self.delivery = delivery
    }
}

/// An emoji and its count.
public struct ReactionCount: Equatable, Sendable {
    /// The emoji.
    public var emoji: String
    /// How many people reacted with it.
    public var count: Int
    /// Creates a count.
    public init(emoji: String, count: Int) {
        self.emoji = emoji
        self.count = count
    }
}

/// A file on a message.
public struct AttachmentLabel: Equatable, Sendable {
    /// The file name shown.
    public var name: String
    /// Its size in bytes.
    public var byteSize: Int64
    /// Creates a label.
    public init(name: String, byteSize: Int64) {
        self.name = name
        self.byteSize = byteSize
    }

    /// "12 B", "3.4 KB", "1.2 MB" (powers of 1024, one decimal below 10).
    public var sizeText: String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(byteSize), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(byteSize) B" }
        let tenths = Int((value * 10).rounded())
        return value < 10 ? "\(tenths / 10).\(tenths % 10) \(units[unit])" : "\(Int(value.rounded())) \(units[unit])"
    }
}

/// A search result, as shown.
public struct SearchRow: Equatable, Sendable {
    /// The conversation's name.
    public var conversation: String
    /// The sender's external id.
    public var sender: String
    /// The matching message's text.
    public var body: String
    /// Creates a row.
    public init(conversation: String, sender: String, body: String) {
        self.conversation = conversation
        self.sender = sender
        self.body = body
    }
}
