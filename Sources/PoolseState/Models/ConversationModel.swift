import Observation

/// One conversation's details and who is in it: the Swift counterpart of `useMembers`,
/// `usePresence` and `useTyping` together. Shows the cached details and members at once
/// (with a store), then the server's, then follows the channel live.
@MainActor @Observable
public final class ConversationModel {
    /// The conversation id.
    public let conversationID: String
    private let session: PoolseSession
    private let core: ConversationCore

    /// Opens the conversation and joins its channel.
    public init(session: PoolseSession, conversationID: String) {
        self.session = session
        self.conversationID = conversationID
        core = session.conversation(conversationID)
    }

    /// The details (name, type, last activity, …); nil until cached or fetched.
    public var conversation: Conversation? { core.conversation }
    /// The members with their roles and read cursors (`lastReadMessageId`, `lastReadSequence`),
    /// kept current by `member:read`.
    public var members: [Membership] { core.members }
    /// Who is connected now: user id → one meta per socket.
    public var presence: PresenceState { core.presence }
    /// The user ids of members connected now.
    public var onlineUserIDs: Set<String> { Set(core.presence.keys) }
    /// Peers typing now (never the signed-in user), by user id; a peer's message clears them.
    public var typing: [TypingEvent] { core.typing.values.sorted { $0.userId < $1.userId } }
    /// The last error of a background refresh (nil after one that worked).
    public var lastError: (any Error)? { core.lastError }

    /// Tells the peers the signed-in user is typing; call it on every keystroke (the
    /// server rate-limits it and sends the stop).
    public func sendTyping() {
        session.client.realtime.conversation(conversationID).sendTyping()
    }

    /// Fetches details, members and missed messages now (it also happens on every join).
    public func refresh() async { await core.sync() }
}
