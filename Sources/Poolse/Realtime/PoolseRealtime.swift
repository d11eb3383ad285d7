/// What both channel handles offer the facade.
protocol ChannelHandle: Sendable {
    func prepareToRejoin()
}

extension ConversationChannel: ChannelHandle {}
extension UserChannel: ChannelHandle {}
extension VoiceRoomChannel: ChannelHandle {}

/// The realtime half of the SDK (`chat.realtime`): one Phoenix Channels socket per
/// client, and a channel handle per conversation or user.
///
/// ```swift
/// let live = chat.realtime.conversation(conversationID)   // opens the socket, joins
/// let off = live.onMessage { print($0.body ?? "") }
/// chat.realtime.onStatus { status in banner.isHidden = status == .connected }
/// …
/// off()
/// chat.destroy()                                          // leaves everything, closes the socket
/// ```
///
/// The socket opens lazily, on the first ``conversation(_:)`` or ``user(_:)`` call (or
/// ``connect()``), and not before: a REST-only app never opens it. Once open it looks
/// after itself:
/// - a heartbeat every 30 s; one left unanswered for a whole interval closes and
///   reopens the socket;
/// - a dropped socket reconnects after 10, 50, 100, 150, 200, 250, 500 ms, 1 s, 2 s,
///   then every 5 s, reading the token through the token cache each time (a token
///   near expiry is refreshed first; one the server refused is fetched anew);
/// - joined channels rejoin by themselves, and conversation channels fetch the
///   messages they missed (see ``ConversationChannel``);
/// - pushes made while a channel is not joined (``ConversationChannel/sendTyping()``)
///   wait and go out on the join;
/// - a join the server refuses, or a channel it closes, is reported and not retried.
///
/// After ``disconnect()`` nothing reconnects until ``connect()``.
///
/// ## Topics
/// - ``connect()``, ``disconnect()``
/// - ``getStatus()``, ``onStatus(_:)``, ``statusStream()``
/// - ``conversation(_:)``, ``user(_:)``, ``leave(_:)``
public final class PoolseRealtime: Sendable {
    private struct State {
        var driver: RealtimeDriver?
        var conversations: [String: ConversationChannel] = [:]
        var users: [String: UserChannel] = [:]
        var voiceRooms: [String: VoiceRoomChannel] = [:]
        var isDestroyed = false
    }

    private let state = Locked(State())
    private let statuses = StatusBoard()
    private let environment: RealtimeDriver.Environment
    private let rest: RESTClient
    private let onSocketError: (@Sendable (RealtimeError) -> Void)?

    init(configuration: PoolseConfiguration, rest: RESTClient) {
        self.rest = rest
        var onSocketError: (@Sendable (RealtimeError) -> Void)?
        if let handler = configuration.onSocketError {
            onSocketError = { error in handler(error) }
        }
        self.onSocketError = onSocketError
        environment = RealtimeDriver.Environment(
            transport: configuration.webSocketTransport,
            endpoint: RealtimeDriver.endpoint(wsURL: configuration.wsURL, socketPath: configuration.socketPath),
            tokens: rest.tokens,
            sleep: configuration.realtimeSleep,
            onStatus: { [statuses] in statuses.update($0) },
            onError: onSocketError)
    }

    deinit {
        destroy()
    }

    /// Opens the socket. Idempotent: does nothing while connecting, connected or
    /// reconnecting. After ``disconnect()`` it opens the socket again and the channels
    /// rejoin. Usually you do not call it: the first channel opens the socket.
    public func connect() {
        withDriver { driver, _ in driver.send(.connect(lazily: false)) }
    }

    /// Closes the socket and stops reconnecting; the status becomes
    /// ``RealtimeStatus/closed``. Channel handles stay (without events) and rejoin on
    /// the next ``connect()``.
    public func disconnect() {
        withDriver { driver, _ in driver.send(.disconnect) }
    }

    /// The socket's status now.
    public func getStatus() -> RealtimeStatus { statuses.current }

    /// Calls `listener` with every change of the status (not with the current one:
    /// ``getStatus()`` for that), on the realtime event loop.
    @discardableResult
    public func onStatus(_ listener: @escaping @Sendable (RealtimeStatus) -> Void) -> Unsubscribe {
        statuses.subscribe(listener)
    }

    /// The current status, then every change, as a stream.
    public func statusStream() -> AsyncStream<RealtimeStatus> { statuses.stream() }

    /// The channel of conversation `id`; the first call for an id joins it (opening
    /// the socket if this is the first channel). The same id returns the same handle
    /// with no second join, unless the server refused or closed it: then the call
    /// tries to join it once more.
    public func conversation(_ id: String) -> ConversationChannel {
        withDriver { driver, state -> ConversationChannel in
            if let existing = state.conversations[id] {
                if existing.state.isClosed { rejoin(existing, on: driver) }
                return existing
            }
            let channel = ConversationChannel(id: id, conversation: ConversationHandle(id: id, rest: rest),
                                              driver: driver, onSocketError: onSocketError)
            state.conversations[id] = channel
            driver.send(.join(channel))
            driver.send(.connect(lazily: true))
            return channel
        } ?? deadConversation(id)
    }

    /// The channel of user `id` (poolse's user id, the token's `sub`): mentions and
    /// inbox updates. Only the token's own user may join it. Same handle for the same
    /// id, as with ``conversation(_:)``.
    public func user(_ id: String) -> UserChannel {
        withDriver { driver, state -> UserChannel in
            if let existing = state.users[id] {
                if existing.state.isClosed { rejoin(existing, on: driver) }
                return existing
            }
            let channel = UserChannel(id: id, driver: driver, onSocketError: onSocketError)
            state.users[id] = channel
            driver.send(.join(channel))
            driver.send(.connect(lazily: true))
            return channel
        } ?? deadUser(id)
    }

    /// The voice room of conversation `id` (``CallsClient/voiceRoom(_:)``); same handle for
    /// the same id, as with ``conversation(_:)``.
    func voiceRoom(_ id: String) -> VoiceRoomChannel {
        withDriver { driver, state -> VoiceRoomChannel in
            if let existing = state.voiceRooms[id] {
                if existing.state.isClosed { rejoin(existing, on: driver) }
                return existing
            }
            let channel = VoiceRoomChannel(conversationId: id, driver: driver)
            state.voiceRooms[id] = channel
            driver.send(.join(channel))
            driver.send(.connect(lazily: true))
            return channel
        } ?? {
            let channel = VoiceRoomChannel(conversationId: id, driver: deadDriver())
            channel.finish()
            return channel
        }()
    }

    /// Leaves the voice room of conversation `id` and drops its handle.
    func leaveVoiceRoom(_ id: String) {
        state.withLock { state in
            guard let driver = state.driver, let channel = state.voiceRooms.removeValue(forKey: id) else { return }
            driver.send(.leave(topic: channel.topic))
        }
    }

    /// Leaves the channel of conversation `id` (or of user `id`) and drops its handle:
    /// its streams end, its listeners hear nothing more. A later ``conversation(_:)``
    /// call makes a new handle and joins again.
    public func leave(_ id: String) {
        state.withLock { state in
            guard let driver = state.driver else { return }
            if let channel = state.conversations.removeValue(forKey: id) { driver.send(.leave(topic: channel.topic)) }
            if let channel = state.users.removeValue(forKey: id) { driver.send(.leave(topic: channel.topic)) }
        }
    }

    /// Leaves every channel, closes the socket for good and ends every stream
    /// (``Poolse/destroy()``). Later calls return closed channels and connect nothing.
    func destroy() {
        let hadNoDriver = state.withLock { state -> Bool? in
            guard !state.isDestroyed else { return nil }
            state.isDestroyed = true
            state.conversations = [:]
            state.users = [:]
            state.voiceRooms = [:]
            state.driver?.send(.destroy)
            return state.driver == nil
        }
        if hadNoDriver == true { statuses.update(.closed) }
    }

    /// Runs `body` with the driver (started on first use) under the lock, so commands
    /// reach the inbox in the order the calls were made; nil once destroyed.
    @discardableResult
    private func withDriver<T>(_ body: (RealtimeDriver, inout State) -> T) -> T? {
        state.withLock { state in
            guard !state.isDestroyed else { return nil }
            if state.driver == nil { state.driver = RealtimeDriver.start(environment) }
            guard let driver = state.driver else { return nil }
            return body(driver, &state)
        }
    }

    /// Joins a channel the server refused or closed once more; its state goes back to
    /// joining on the loop, before the join is handled.
    private func rejoin(_ channel: any RealtimeChannelEndpoint & ChannelHandle, on driver: RealtimeDriver) {
        driver.perform { channel.prepareToRejoin() }
        driver.send(.join(channel))
        driver.send(.connect(lazily: true))
    }

    /// A closed handle, for calls after ``destroy()``.
    private func deadConversation(_ id: String) -> ConversationChannel {
        let channel = ConversationChannel(id: id, conversation: ConversationHandle(id: id, rest: rest),
                                          driver: deadDriver(), onSocketError: nil)
        channel.finish()
        return channel
    }

    private func deadUser(_ id: String) -> UserChannel {
        let channel = UserChannel(id: id, driver: deadDriver(), onSocketError: nil)
        channel.finish()
        return channel
    }

    /// A driver that has stopped, for dead handles (their pushes go nowhere).
    private func deadDriver() -> RealtimeDriver {
        if let driver = state.withLock({ $0.driver }) { return driver }
        let driver = RealtimeDriver.start(environment)
        driver.send(.destroy)
        return driver
    }
}
