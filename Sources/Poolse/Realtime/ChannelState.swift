/// Where a channel handle is (``ConversationChannel/state``, ``UserChannel/state``).
public enum RealtimeChannelState: Sendable, CustomStringConvertible {
    /// Waiting for the socket or for the server's answer to its (re)join. A joined
    /// channel is back here while the socket reconnects.
    case joining
    /// Joined: events flow.
    case joined
    /// Refused or closed by the server (the error says which), or left, or the client
    /// was destroyed (nil). No events come any more.
    case closed((RealtimeError)?)

    /// True for ``closed(_:)``.
    public var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }

    /// `joining`, `joined`, or `closed` with the error code.
    public var description: String {
        switch self {
        case .joining: return "joining"
        case .joined: return "joined"
        case .closed(let error): return "closed" + (error.map { " (\($0.code))" } ?? "")
        }
    }
}

/// What both channel handles share: the topic, the state and its listeners, the error
/// listeners, and the driver they talk through.
final class ChannelCore: Sendable {
    let topic: String
    let driver: RealtimeDriver
    let states = EventHub<RealtimeChannelState>()
    let errors = EventHub<RealtimeError>()
    private let current = Locked<RealtimeChannelState>(.joining)

    init(topic: String, driver: RealtimeDriver) {
        self.topic = topic
        self.driver = driver
    }

    var state: RealtimeChannelState { current.withLock { $0 } }

    func setState(_ new: RealtimeChannelState) {
        current.withLock { $0 = new }
        states.emit(new)
    }

    /// Waits until the channel is joined (returns at once if it is).
    func waitUntilJoined() async throws {
        // The stream is created before reading the state, so no change is missed in between.
        let changes = states.stream()
        if case .joined = state { return }
        if case .closed(let error) = state { throw error ?? left }
        for await change in changes {
            switch change {
            case .joined: return
            case .closed(let error): throw error ?? left
            case .joining: continue
            }
        }
        try Task.checkCancellation()
        throw left
    }

    private var left: RealtimeError { RealtimeError(code: .channelLeft, topic: topic) }

    func finish() {
        if !state.isClosed { setState(.closed(nil)) }
        states.finish()
        errors.finish()
    }
}
