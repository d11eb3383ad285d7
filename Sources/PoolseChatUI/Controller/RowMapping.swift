import Foundation
import PoolseState

/// Turns the SDK's and the state layer's values into the rows the screen shows.
enum RowMapping {
    /// A conversation's row; `me` is left out of a direct conversation's name.
    static func row(_ conversation: Conversation, me: String?) -> ConversationRow {
        ConversationRow(id: conversation.id, name: name(of: conversation, me: me),
                        unread: conversation.unreadCount ?? 0, preview: conversation.lastMessagePreview)
    }

    /// The group's name; for a direct conversation (or a group without one) the other people.
    static func name(of conversation: Conversation, me: String?) -> String {
        if let name = conversation.name, !name.isEmpty { return name }
        let others = (conversation.memberExternalIds ?? []).filter { $0 != me }
        if others.isEmpty { return conversation.type == .direct ? "(direct)" : "(unnamed group)" }
        return others.map { "@" + $0 }.joined(separator: ", ")
    }

    static func row(_ chatMessage: ChatMessage, calendar: Calendar) -> MessageRow {
        var row = row(chatMessage.message, calendar: calendar)
        switch chatMessage.delivery {
        case .sent: row.delivery = .sent
        case .pending: row.delivery = .pending
        case .failed(let error): row.delivery = .failed((error as? any PoolseError)?.message ?? String(describing: error))
        }
        return row
    }

    static func row(_ message: Message, calendar: Calendar) -> MessageRow {
        let reactions = message.reactions
            .filter { !$0.value.isEmpty }
            .map { ReactionCount(emoji: $0.key, count: $0.value.count) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.emoji < $1.emoji }
        let files = (message.attachments ?? []).map {
            AttachmentLabel(name: $0.originalFilename ?? $0.id, byteSize: $0.byteSize)
        }
        return MessageRow(id: message.id, sender: message.senderExternalId, time: time(message.insertedAt, calendar: calendar),
                          body: message.body, isEdited: message.editedAt != nil, isDeleted: message.deletedAt != nil,
                          reactions: reactions, replyCount: message.replyCount ?? 0, attachments: files)
    }

    /// "HH:mm" today; "MM-dd HH:mm" on another day.
    static func time(_ date: Date, calendar: Calendar, now: Date = Date()) -> String {
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        let clock = pad(parts.hour) + ":" + pad(parts.minute)
        return calendar.isDate(date, inSameDayAs: now) ? clock : pad(parts.month) + "-" + pad(parts.day) + " " + clock
    }

    private static func pad(_ value: Int?) -> String {
        let value = value ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }

    static func connection(_ status: RealtimeStatus) -> ChatState.Connection {
        switch status {
        case .idle, .connecting: .connecting
        case .connected: .connected
        case .reconnecting: .reconnecting
        case .closed: .offline
        }
    }
}
