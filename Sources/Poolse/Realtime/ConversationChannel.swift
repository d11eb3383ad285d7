/// The live side of one conversation (`chat.realtime.conversation(id)`): new, edited
/// and deleted messages, reactions, read receipts, typing and presence.
///
/// ```swift
/// let live = chat.realtime.conversation(conversationID)
/// let off = live.onMessage { message in print(message.senderExternalId, message.body ?? "") }
/// for await event in live.events() { … }      // or everything as one stream
/// off()
/// ```
///
/// Each `onX` listener returns an ``Unsubscribe``; each event is also an `AsyncStream`
/// (`xStream()`), which ends when the channel is left or the client destroyed.
/// Listeners run on the realtime client's event loop, one event at a time, in the
/// order the server sent them: keep them short.
///
/// **No silent loss.** The channel remembers the highest message `sequence` it
/// delivered. After a reconnect it lists what it missed
/// (`GET /v1/conversations/:id/messages?after=`) and hands those messages to
/// ``onMessage(_:)`` in sequence order before newer live events; a message is never
/// delivered twice. If that listing fails even after retries, ``onError(_:)`` gets
/// ``RealtimeError/Code/catchUpFailed``.
///
/// ## Topics
/// - Messages: ``onMessage(_:)``, ``onMessageUpdated(_:)``, ``onMessageDeleted(_:)``
/// - Reactions and reads: ``onReactionAdded(_:)``, ``onReactionRemoved(_:)``, ``onMemberRead(_:)``
/// - Pins: ``onMessagePinned(_:)``, ``onMessageUnpinned(_:)``
/// - Typing: ``onTypingStart(_:)``, ``onTypingStop(_:)``, ``sendTyping()``
/// - Presence: ``onPresenceState(_:)``, ``onPresenceDiff(_:)``, ``getPresenceState()``
/// - The channel itself: ``state``, ``onStateChange(_:)``, ``waitUntilJoined()``, ``onError(_:)``
public final class ConversationChannel: Sendable, RealtimeChannelEndpoint {
    /// The conversation id.
    public let id: String
    /// `conversation:<id>`.
    public var topic: String { core.topic }

    let core: ChannelCore
    private let conversation: ConversationHandle
    private let onSocketError: (@Sendable (RealtimeError) -> Void)?

    private let messages = EventHub<Message>()
    private let messageUpdates = EventHub<Message>()
    private let messageDeletions = EventHub<MessageDeletedEvent>()
    private let reactionsAdded = EventHub<ReactionEvent>()
    private let reactionsRemoved = EventHub<ReactionEvent>()
    private let reads = EventHub<MemberReadEvent>()
    private let pins = EventHub<MessagePinEvent>()
    private let unpins = EventHub<MessagePinEvent>()
    private let typingStarts = EventHub<TypingEvent>()
    private let typingStops = EventHub<TypingEvent>()
    private let presenceStates = EventHub<PresenceState>()
    private let presenceDiffs = EventHub<PresenceDiff>()
    private let allEvents = EventHub<ConversationEvent>()

    private struct Local {
        var presence: PresenceState?
        var catchUp = MessageCatchUp()
        var pageFetch: Task<Void, Never>?
        var baselineFetch: Task<Void, Never>?
    }

    private let local = Locked(Local())

    init(id: String, conversation: ConversationHandle, driver: RealtimeDriver,
         onSocketError: (@Sendable (RealtimeError) -> Void)?) {
        self.id = id
        self.conversation = conversation
        self.onSocketError = onSocketError
        core = ChannelCore(topic: "conversation:" + id, driver: driver)
    }

    // MARK: - Messages

    /// `message:new`, including messages caught up after a reconnect, in `sequence`
    /// order and each id once.
    @discardableResult
    public func onMessage(_ listener: @escaping @Sendable (Message) -> Void) -> Unsubscribe {
        messages.subscribe(listener)
    }

    /// `message:updated`: the full message after an edit or a change of its reactions.
    @discardableResult
    public func onMessageUpdated(_ listener: @escaping @Sendable (Message) -> Void) -> Unsubscribe {
        messageUpdates.subscribe(listener)
    }

    /// `message:deleted` `{id, conversation_id, deleted_at}`.
    @discardableResult
    public func onMessageDeleted(_ listener: @escaping @Sendable (MessageDeletedEvent) -> Void) -> Unsubscribe {
        messageDeletions.subscribe(listener)
    }

    /// `reaction:added` `{message_id, conversation_id, emoji, user_id}`.
    @discardableResult
    public func onReactionAdded(_ listener: @escaping @Sendable (ReactionEvent) -> Void) -> Unsubscribe {
        reactionsAdded.subscribe(listener)
    }

    /// `reaction:removed` `{message_id, conversation_id, emoji, user_id}`.
    @discardableResult
    public func onReactionRemoved(_ listener: @escaping @Sendable (ReactionEvent) -> Void) -> Unsubscribe {
        reactionsRemoved.subscribe(listener)
    }

    /// `member:read`, a read receipt `{user_id, conversation_id, last_read_message_id, last_read_at}`.
    @discardableResult
    public func onMemberRead(_ listener: @escaping @Sendable (MemberReadEvent) -> Void) -> Unsubscribe {
        reads.subscribe(listener)
    }

    /// `message:pinned` `{message_id, conversation_id, pinned_by, pinned_at}`.
    @discardableResult
    public func onMessagePinned(_ listener: @escaping @Sendable (MessagePinEvent) -> Void) -> Unsubscribe {
        pins.subscribe(listener)
    }

    /// `message:unpinned` `{message_id, conversation_id, pinned_by, pinned_at, unpinned_by}`: the
    /// removed pin, also sent when a pinned message is deleted.
    @discardableResult
    public func onMessageUnpinned(_ listener: @escaping @Sendable (MessagePinEvent) -> Void) -> Unsubscribe {
        unpins.subscribe(listener)
    }

    // MARK: - Typing

    /// `typing:start` `{user_id, external_id}` of a peer (never your own).
    @discardableResult
    public func onTypingStart(_ listener: @escaping @Sendable (TypingEvent) -> Void) -> Unsubscribe {
        typingStarts.subscribe(listener)
    }

    /// `typing:stop`: 5 s after a peer's last keystroke, or when they send.
    @discardableResult
    public func onTypingStop(_ listener: @escaping @Sendable (TypingEvent) -> Void) -> Unsubscribe {
        typingStops.subscribe(listener)
    }

    /// Tells the peers you are typing. Call it on every keystroke: the server
    /// rate-limits and turns it into `typing:start` / `typing:stop`. Sent while the
    /// channel is not joined yet, it waits for the join.
    public func sendTyping() {
        core.driver.send(.push(topic: topic, event: RealtimeEvent.typing, payload: .object([:])))
    }

    // MARK: - Presence

    /// `presence_state`, the full snapshot the server sends after each (re)join. A
    /// listener added later is handed the current snapshot (diffs applied) right away,
    /// on the event loop, unless a newer one reached it first.
    @discardableResult
    public func onPresenceState(_ listener: @escaping @Sendable (PresenceState) -> Void) -> Unsubscribe {
        presenceStates.subscribeReplaying(listener, on: core.driver) { [weak self] in self?.currentPresence }
    }

    /// `presence_diff`: who joined and who left.
    @discardableResult
    public func onPresenceDiff(_ listener: @escaping @Sendable (PresenceDiff) -> Void) -> Unsubscribe {
        presenceDiffs.subscribe(listener)
    }

    /// Who is here now: the last snapshot with every later diff applied (empty before
    /// the first snapshot). User id → one meta per connected socket.
    public func getPresenceState() -> PresenceState {
        currentPresence ?? [:]
    }

    // MARK: - Streams

    /// ``onMessage(_:)`` as a stream.
    public func messageStream() -> AsyncStream<Message> { messages.stream() }
    /// ``onMessageUpdated(_:)`` as a stream.
    public func messageUpdatedStream() -> AsyncStream<Message> { messageUpdates.stream() }
    /// ``onMessageDeleted(_:)`` as a stream.
    public func messageDeletedStream() -> AsyncStream<MessageDeletedEvent> { messageDeletions.stream() }
    /// ``onReactionAdded(_:)`` as a stream.
    public func reactionAddedStream() -> AsyncStream<ReactionEvent> { reactionsAdded.stream() }
    /// ``onReactionRemoved(_:)`` as a stream.
    public func reactionRemovedStream() -> AsyncStream<ReactionEvent> { reactionsRemoved.stream() }
    /// ``onMemberRead(_:)`` as a stream.
    public func memberReadStream() -> AsyncStream<MemberReadEvent> { reads.stream() }
    /// ``onMessagePinned(_:)`` as a stream.
    public func messagePinnedStream() -> AsyncStream<MessagePinEvent> { pins.stream() }
    /// ``onMessageUnpinned(_:)`` as a stream.
    public func messageUnpinnedStream() -> AsyncStream<MessagePinEvent> { unpins.stream() }
    /// ``onTypingStart(_:)`` as a stream.
    public func typingStartStream() -> AsyncStream<TypingEvent> { typingStarts.stream() }
    /// ``onTypingStop(_:)`` as a stream.
    public func typingStopStream() -> AsyncStream<TypingEvent> { typingStops.stream() }
    /// ``onPresenceState(_:)`` as a stream, starting with the current snapshot when there is one.
    public func presenceStateStream() -> AsyncStream<PresenceState> {
        presenceStates.streamReplaying(on: core.driver) { [weak self] in self?.currentPresence }
    }
    /// ``onPresenceDiff(_:)`` as a stream.
    public func presenceDiffStream() -> AsyncStream<PresenceDiff> { presenceDiffs.stream() }
    /// Every event of the channel, in order, as one stream.
    public func events() -> AsyncStream<ConversationEvent> { allEvents.stream() }

    // MARK: - The channel

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
    /// - Throws: the ``RealtimeError`` that closed it (``RealtimeError/Code/joinRefused``,
    ///   ``RealtimeError/Code/closedByServer``, ``RealtimeError/Code/channelLeft``), or
    ///   `CancellationError`.
    public func waitUntilJoined() async throws { try await core.waitUntilJoined() }

    /// Problems of this channel: refused or closed by the server, a catch-up that
    /// failed, a payload that did not decode. (They also go to
    /// ``PoolseConfiguration/onSocketError``.)
    @discardableResult
    public func onError(_ listener: @escaping @Sendable (RealtimeError) -> Void) -> Unsubscribe {
        core.errors.subscribe(listener)
    }

    // MARK: - Driver side (on the loop)

    func joined(isRejoin: Bool) {
        core.setState(.joined)
        run(local.withLock { $0.catchUp.joined(isRejoin: isRejoin) })
    }

    func interrupted() {
        core.setState(.joining)
    }

    func receive(event: String, payload: JSONValue) {
        let decoded: ConversationEvent?
        do {
            decoded = try ConversationEvent(event: event, payload: payload)
        } catch {
            report(RealtimeError(code: .invalidFrame, topic: topic, reason: "undecodable \(event)", underlying: error))
            return
        }
        guard let decoded else { return }
        run(local.withLock { $0.catchUp.received(decoded) })
    }

    func failed(_ error: RealtimeError) {
        cancelFetches()
        core.setState(.closed(error))
        core.errors.emit(error)
    }

    func finish() {
        cancelFetches()
        core.finish()
        messages.finish()
        messageUpdates.finish()
        messageDeletions.finish()
        reactionsAdded.finish()
        reactionsRemoved.finish()
        reads.finish()
        pins.finish()
        unpins.finish()
        typingStarts.finish()
        typingStops.finish()
        presenceStates.finish()
        presenceDiffs.finish()
        allEvents.finish()
    }

    /// Called by ``PoolseRealtime`` before it joins a closed channel again.
    func prepareToRejoin() {
        core.setState(.joining)
    }

    /// Where a catch-up would start now (for tests).
    var resumePoint: Int64? { local.withLock { $0.catchUp.resumePoint } }

    // MARK: - Helpers

    private var currentPresence: PresenceState? { local.withLock { $0.presence } }

    private func run(_ outputs: [MessageCatchUp.Output]) {
        for output in outputs {
            switch output {
            case .deliver(let event): dispatch(event)
            case .fetchPage(let after, let generation): fetchPage(after: after, generation: generation)
            case .fetchBaseline: fetchBaseline()
            }
        }
    }

    private func dispatch(_ event: ConversationEvent) {
        switch event {
        case .message(let message): messages.emit(message)
        case .messageUpdated(let message): messageUpdates.emit(message)
        case .messageDeleted(let deleted): messageDeletions.emit(deleted)
        case .reactionAdded(let reaction): reactionsAdded.emit(reaction)
        case .reactionRemoved(let reaction): reactionsRemoved.emit(reaction)
        case .memberRead(let read): reads.emit(read)
        case .messagePinned(let pin): pins.emit(pin)
        case .messageUnpinned(let pin): unpins.emit(pin)
        case .typingStart(let typing): typingStarts.emit(typing)
        case .typingStop(let typing): typingStops.emit(typing)
        case .presenceState(let snapshot):
            local.withLock { $0.presence = snapshot }
            presenceStates.emit(snapshot)
        case .presenceDiff(let diff):
            local.withLock { $0.presence = ($0.presence ?? [:]).applying(diff) }
            presenceDiffs.emit(diff)
        }
        allEvents.emit(event)
    }

    private func fetchPage(after: Int64, generation: Int) {
        let conversation = self.conversation
        let driver = core.driver
        let task = Task {
            do {
                let page = try await conversation.messages.list(limit: MessageCatchUp.pageSize, after: after).data
                driver.perform { [weak self] in self?.pageFetched(page, generation: generation) }
            } catch is CancellationError {
                return
            } catch {
                driver.perform { [weak self] in self?.fetchFailed(error, generation: generation) }
            }
        }
        local.withLock { $0.pageFetch = task }
    }

    private func pageFetched(_ page: [Message], generation: Int) {
        run(local.withLock { $0.catchUp.pageFetched(page, generation: generation) })
    }

    private func fetchFailed(_ error: any Error, generation: Int) {
        let outputs = local.withLock { $0.catchUp.fetchFailed(generation: generation) }
        report(RealtimeError(code: .catchUpFailed, topic: topic, underlying: error))
        run(outputs)
    }

    private func fetchBaseline() {
        let conversation = self.conversation
        let driver = core.driver
        let task = Task {
            do {
                let lastSequence = try await conversation.show().lastSequence
                driver.perform { [weak self] in self?.local.withLock { $0.catchUp.baselineFetched(lastSequence) } }
            } catch is CancellationError {
                return
            } catch {
                driver.perform { [weak self] in
                    self?.report(RealtimeError(code: .catchUpFailed, topic: self?.topic, underlying: error))
                }
            }
        }
        local.withLock { $0.baselineFetch = task }
    }

    private func cancelFetches() {
        let tasks = local.withLock { local in
            defer {
                local.pageFetch = nil
                local.baselineFetch = nil
            }
            return [local.pageFetch, local.baselineFetch]
        }
        tasks.forEach { $0?.cancel() }
    }

    private func report(_ error: RealtimeError) {
        core.errors.emit(error)
        onSocketError?(error)
    }
}
