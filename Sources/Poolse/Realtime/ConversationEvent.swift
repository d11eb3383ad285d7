/// Everything a ``ConversationChannel`` delivers, as one enum for a single `for await`
/// loop over ``ConversationChannel/events()``. Payloads are the wire types.
public enum ConversationEvent: Hashable, Sendable {
    /// `message:new`.
    case message(Message)
    /// `message:updated` (edited, reactions changed, …).
    case messageUpdated(Message)
    /// `message:deleted`.
    case messageDeleted(MessageDeletedEvent)
    /// `reaction:added`.
    case reactionAdded(ReactionEvent)
    /// `reaction:removed`.
    case reactionRemoved(ReactionEvent)
    /// `member:read`, a read receipt.
    case memberRead(MemberReadEvent)
    /// `message:pinned`.
    case messagePinned(MessagePinEvent)
    /// `message:unpinned` (also when a pinned message is deleted).
    case messageUnpinned(MessagePinEvent)
    /// `typing:start` (never your own).
    case typingStart(TypingEvent)
    /// `typing:stop`.
    case typingStop(TypingEvent)
    /// `presence_state`: the full snapshot, sent after each (re)join.
    case presenceState(PresenceState)
    /// `presence_diff`: who came and went.
    case presenceDiff(PresenceDiff)

    /// Decodes a server push; nil for events this SDK does not know (newer servers).
    init?(event: String, payload: JSONValue) throws {
        switch event {
        case RealtimeEvent.messageNew: self = .message(try payload.decode(as: Message.self))
        case RealtimeEvent.messageUpdated: self = .messageUpdated(try payload.decode(as: Message.self))
        case RealtimeEvent.messageDeleted: self = .messageDeleted(try payload.decode(as: MessageDeletedEvent.self))
        case RealtimeEvent.reactionAdded: self = .reactionAdded(try payload.decode(as: ReactionEvent.self))
        case RealtimeEvent.reactionRemoved: self = .reactionRemoved(try payload.decode(as: ReactionEvent.self))
        case RealtimeEvent.memberRead: self = .memberRead(try payload.decode(as: MemberReadEvent.self))
        case RealtimeEvent.messagePinned: self = .messagePinned(try payload.decode(as: MessagePinEvent.self))
        case RealtimeEvent.messageUnpinned: self = .messageUnpinned(try payload.decode(as: MessagePinEvent.self))
        case RealtimeEvent.typingStart: self = .typingStart(try payload.decode(as: TypingEvent.self))
        case RealtimeEvent.typingStop: self = .typingStop(try payload.decode(as: TypingEvent.self))
        case RealtimeEvent.presenceState: self = .presenceState(try payload.decode(as: PresenceState.self))
        case RealtimeEvent.presenceDiff: self = .presenceDiff(try payload.decode(as: PresenceDiff.self))
        default: return nil
        }
    }

    /// Presence and typing describe the moment, not the message history, so they are
    /// never held back behind a catch-up.
    var isMomentary: Bool {
        switch self {
        case .typingStart, .typingStop, .presenceState, .presenceDiff: return true
        default: return false
        }
    }
}

/// Everything a ``UserChannel`` delivers, for ``UserChannel/events()``.
public enum UserEvent: Hashable, Sendable {
    /// `mention:new`: someone mentioned the user.
    case mention(MentionEvent)
    /// `conversation:created`: the user gained a membership (including conversations they created).
    case conversationCreated(Conversation)
    /// `conversation:updated`: activity in one of the user's conversations.
    case conversationUpdated(ConversationUpdatedEvent)

    /// Decodes a server push; nil for events this SDK does not know.
    init?(event: String, payload: JSONValue) throws {
        switch event {
        case RealtimeEvent.mentionNew: self = .mention(try payload.decode(as: MentionEvent.self))
        case RealtimeEvent.conversationCreated: self = .conversationCreated(try payload.decode(as: Conversation.self))
        case RealtimeEvent.conversationUpdated:
            self = .conversationUpdated(try payload.decode(as: ConversationUpdatedEvent.self))
        default: return nil
        }
    }
}
