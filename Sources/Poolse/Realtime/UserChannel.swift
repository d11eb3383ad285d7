/// The live side of one user (`chat.realtime.user(id)`): mentions and inbox updates.
/// Only the user the token belongs to may join their channel; for anyone else the
/// join is refused (``state`` becomes closed with ``RealtimeError/Code/joinRefused``).
///
/// ```swift
/// let me = try await chat.me.show()
/// let inbox = chat.realtime.user(me.id)
/// inbox.onConversationUpdated { update in refreshRow(update.conversation) }
/// ```
public final class UserChannel: Sendable, RealtimeChannelEndpoint {
    /// The user id (poolse's, the token's `sub`).
    public let id: String
    /// `user:<id>`.
    public var topic: String { core.topic }

    let core: ChannelCore
    private let onSocketError: (@Sendable (RealtimeError) -> Void)?
    private let mentions = EventHub<MentionEvent>()
    private let created = EventHub<Conversation>()
    private let updated = EventHub<ConversationUpdatedEvent>()
    private let allEvents = EventHub<UserEvent>()
    /// `call:*` events, for ``CallsClient``.
    let callEvents = EventHub<CallSignalEvent>()

    init(id: String, driver: RealtimeDriver, onSocketError: (@Sendable (RealtimeError) -> Void)?) {
        self.id = id
        self.onSocketError = onSocketError
        core = ChannelCore(topic: "user:" + id, driver: driver)
    }

    /// `mention:new` `{message_id, conversation_id, sender_id}`; fetch the message over
    /// REST if you need its body.
    @discardableResult
    public func onMention(_ listener: @escaping @Sendable (MentionEvent) -> Void) -> Unsubscribe {
        mentions.subscribe(listener)
    }

    /// `conversation:created`: the user gained a membership (also in conversations they
    /// created); the full ``Conversation`` with `memberExternalIds`.
    @discardableResult
    public func onConversationCreated(_ listener: @escaping @Sendable (Conversation) -> Void) -> Unsubscribe {
        created.subscribe(listener)
    }

    /// `conversation:updated` `{conversation, by_user_id}` after every message in any of
    /// the user's conversations (and after an update, a delete, or the user's own read).
    /// The conversation carries the user's own `unreadCount`, `lastMessagePreview`,
    /// `lastMessageAt` and `lastSequence`.
    @discardableResult
    public func onConversationUpdated(_ listener: @escaping @Sendable (ConversationUpdatedEvent) -> Void)
        -> Unsubscribe
    {
        updated.subscribe(listener)
    }

    /// ``onMention(_:)`` as a stream.
    public func mentionStream() -> AsyncStream<MentionEvent> { mentions.stream() }
    /// ``onConversationCreated(_:)`` as a stream.
    public func conversationCreatedStream() -> AsyncStream<Conversation> { created.stream() }
    /// ``onConversationUpdated(_:)`` as a stream.
    public func conversationUpdatedStream() -> AsyncStream<ConversationUpdatedEvent> { updated.stream() }
    /// Every event of the channel, in order, as one stream.
    public func events() -> AsyncStream<UserEvent> { allEvents.stream() }

    /// Joining, joined, or closed (refused, closed by the server, left).
    public var state: RealtimeChannelState { core.state }

    /// Called with every change of ``state``.
    @discardableResult
    public func onStateChange(_ listener: @escaping @Sendable (RealtimeChannelState) -> Void) -> Unsubscribe {
        core.states.subscribe(listener)
    }

    /// The changes of ``state`` as a stream.
    public func stateStream() -> AsyncStream<RealtimeChannelState> { core.states.stream() }

    /// Returns once the channel is joined (at once if it is).
    /// - Throws: the ``RealtimeError`` that closed it, or `CancellationError`.
    public func waitUntilJoined() async throws { try await core.waitUntilJoined() }

    /// Problems of this channel (refused, closed by the server, undecodable payloads).
    @discardableResult
    public func onError(_ listener: @escaping @Sendable (RealtimeError) -> Void) -> Unsubscribe {
        core.errors.subscribe(listener)
    }

    // MARK: - Driver side (on the loop)

    func joined(isRejoin: Bool) { core.setState(.joined) }

    func interrupted() { core.setState(.joining) }

    func receive(event: String, payload: JSONValue) {
        if event.hasPrefix("call:") {
            receiveCall(event: event, payload: payload)
            return
        }
        let decoded: UserEvent?
        do {
            decoded = try UserEvent(event: event, payload: payload)
        } catch {
            let problem = RealtimeError(code: .invalidFrame, topic: topic, reason: "undecodable \(event)",
                                        underlying: error)
            core.errors.emit(problem)
            onSocketError?(problem)
            return
        }
        switch decoded {
        case .mention(let mention): mentions.emit(mention)
        case .conversationCreated(let conversation): created.emit(conversation)
        case .conversationUpdated(let update): updated.emit(update)
        case nil: return
        }
        if let decoded { allEvents.emit(decoded) }
    }

    private func receiveCall(event: String, payload: JSONValue) {
        do {
            if let call = try CallSignalEvent(event: event, payload: payload) { callEvents.emit(call) }
        } catch {
            let problem = RealtimeError(code: .invalidFrame, topic: topic, reason: "undecodable \(event)", underlying: error)
            core.errors.emit(problem)
            onSocketError?(problem)
        }
    }

    func failed(_ error: RealtimeError) {
        core.setState(.closed(error))
        core.errors.emit(error)
    }

    func finish() {
        core.finish()
        mentions.finish()
        created.finish()
        updated.finish()
        allEvents.finish()
        callEvents.finish()
    }

    /// Called by ``PoolseRealtime`` before it joins a closed channel again.
    func prepareToRejoin() { core.setState(.joining) }
}
