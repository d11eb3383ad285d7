/// The Phoenix Channels v2 client protocol, without any I/O: the connection's life
/// (connect, heartbeat, reconnect with backoff, explicit disconnect) and each channel's
/// (join, rejoin, push buffer, leave, refusal, server close).
///
/// Every input is a `mutating` method that returns the ``Action``s to carry out;
/// ``RealtimeDriver`` carries them out (sockets, timers, callbacks) and feeds what
/// happens back in. Tests drive it directly: feed inputs, assert actions, no socket
/// and no clock.
///
/// Rules (PROTOCOL.md §6 and phoenix.js):
/// - A heartbeat goes out every ``Configuration/heartbeatInterval`` (30 s). If the
///   previous one is still unanswered when the next is due, the socket is considered
///   dead: it is closed and reopened.
/// - A socket that fails to open or drops is reopened after
///   ``ReconnectSchedule/delay(forAttempt:)``, counting failures since it was last open.
///   ``disconnect()`` and ``destroy()`` stop that for good.
/// - Channels that were joined (or wanted to be) rejoin on every new socket. A join
///   answered with an error, or a `phx_close` from the server, closes the channel for
///   good (``Action/channelFailed(topic:_:)``); a join that gets no answer within
///   ``Configuration/joinTimeout`` is sent again.
/// - A push to a channel that is not joined yet waits in the channel's buffer (the
///   oldest dropped beyond ``Configuration/pushBufferLimit``) and goes out right after
///   the join succeeds.
/// - A push made as a request (`push(_:event:payload:request:)`) gets its reply back as
///   ``Action/replied(request:_:)``: the server's reply, or nil when none can come (the
///   socket dropped after it was sent, the channel failed or was left, or no reply came
///   within ``Configuration/joinTimeout``).
struct PhoenixStateMachine: Sendable {
    /// Identifies one attempt to open a socket, so late news of an old one is ignored.
    typealias ConnectionID = Int

    /// Timing and limits; defaults are Phoenix's.
    struct Configuration: Sendable, Equatable {
        /// Between heartbeats, and how long one may go unanswered (default 30 s).
        var heartbeatInterval: Duration = .seconds(30)
        /// How long a join may go unanswered before it is sent again (default 10 s).
        var joinTimeout: Duration = .seconds(10)
        /// Waits before reconnecting (default ``ReconnectSchedule/phoenix``).
        var reconnectSchedule: ReconnectSchedule = .phoenix
        /// Pushes kept per channel while it is not joined (default 100).
        var pushBufferLimit = 100
    }

    /// The timers the driver runs for the machine; starting one replaces any running
    /// timer with the same identity.
    enum Timer: Hashable, Sendable {
        case heartbeat
        case reconnect
        case joinTimeout(topic: String)
        /// A request push waits for its reply.
        case reply(request: Int)
    }

    /// The server's reply to a request push.
    struct PushReply: Hashable, Sendable {
        var isOK: Bool
        /// The reply's `response` (`{reason}` for an error).
        var response: JSONValue
    }

    /// A problem to report; the driver adds the underlying error it holds.
    struct Problem: Hashable, Sendable {
        var code: RealtimeError.Code
        var topic: String?
        var reason: String?
    }

    enum Action: Hashable, Sendable {
        /// Read the token and open a socket; report back `transportOpened` or `transportClosed`.
        case openTransport(ConnectionID)
        /// Close (or stop opening) this socket after sending what was queued on it.
        case closeTransport(ConnectionID)
        case send(ConnectionID, PhoenixFrame)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        case setStatus(RealtimeStatus)
        /// The channel's join succeeded; `isRejoin` when it had been joined before.
        case channelJoined(topic: String, isRejoin: Bool)
        /// The channel lost its socket and will rejoin on the next one.
        case channelInterrupted(topic: String)
        case channelEvent(topic: String, event: String, payload: JSONValue)
        /// The channel was refused or closed by the server; it stays closed.
        case channelFailed(topic: String, Problem)
        case report(Problem)
        /// The outcome of request push `request`: its reply, or nil when none will come.
        case replied(request: Int, PushReply?)
    }

    enum Connection: Hashable, Sendable {
        /// Never asked to connect.
        case idle
        case connecting(ConnectionID)
        case connected(ConnectionID, pendingHeartbeat: String?)
        /// Between a failure and the next attempt.
        case waitingToReconnect
        /// After ``disconnect()``: nothing happens until ``connect(lazily:)``.
        case closed
        /// After ``destroy()``: nothing happens any more.
        case destroyed
    }

    struct Channel: Hashable, Sendable {
        enum State: Hashable, Sendable {
            /// Wants to join as soon as there is a socket.
            case waiting
            case joining
            case joined
            /// Refused or closed by the server; not rejoined.
            case failed
        }

        struct Push: Hashable, Sendable {
            var event: String
            var payload: JSONValue
            /// Set for a request push (its reply is awaited).
            var request: Int?
        }

        var state: State = .waiting
        /// The ref of the current join (while joining or joined).
        var joinRef: String?
        /// Joined successfully at least once, so the next join is a rejoin.
        var hasJoined = false
        var buffer: [Push] = []
    }

    let configuration: Configuration
    private(set) var connection: Connection = .idle
    private(set) var channels: [String: Channel] = [:]
    private(set) var status: RealtimeStatus = .idle
    /// Failed connections since the socket was last open.
    private(set) var failures = 0
    private var lastRef: UInt64 = 0
    /// Request pushes sent and not answered yet, by the ref they were sent with.
    private(set) var awaitingReplies: [String: Int] = [:]
    private var lastConnectionID: ConnectionID = 0

    init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: - Commands

    /// Opens the socket. `lazily` (a channel was requested) acts only on a socket never
    /// opened before; an explicit connect also reopens one closed by ``disconnect()``.
    /// Otherwise nothing: connecting is idempotent.
    mutating func connect(lazily: Bool = false) -> [Action] {
        switch connection {
        case .idle: break
        case .closed where !lazily: break
        default: return []
        }
        var actions: [Action] = []
        setStatus(.connecting, &actions)
        openConnection(&actions)
        return actions
    }

    /// Closes the socket and stops reconnecting. Channels stay registered and rejoin
    /// on the next ``connect(lazily:)``.
    mutating func disconnect() -> [Action] {
        guard connection != .destroyed else { return [] }
        var actions: [Action] = []
        shutDown(to: .closed, &actions)
        return actions
    }

    /// Leaves every channel, closes the socket, and ignores everything from now on.
    mutating func destroy() -> [Action] {
        guard connection != .destroyed else { return [] }
        var actions: [Action] = []
        for topic in channels.keys.sorted() { actions += leave(topic) }
        shutDown(to: .destroyed, &actions)
        return actions
    }

    /// Joins `topic` (now if the socket is open, else when it opens). A channel that is
    /// already there is left alone, unless it failed: then it tries once more.
    mutating func join(_ topic: String) -> [Action] {
        guard connection != .destroyed else { return [] }
        var channel = channels[topic] ?? Channel()
        guard channels[topic] == nil || channel.state == .failed else { return [] }
        channel.state = .waiting
        channel.joinRef = nil
        channels[topic] = channel
        var actions: [Action] = []
        if case .connected(let id, _) = connection { sendJoin(topic, on: id, &actions) }
        return actions
    }

    /// Forgets `topic`, telling the server when the channel is joined or joining.
    mutating func leave(_ topic: String) -> [Action] {
        guard let channel = channels.removeValue(forKey: topic) else { return [] }
        var actions: [Action] = [.cancelTimer(.joinTimeout(topic: topic))]
        for request in channel.buffer.compactMap(\.request) {
            actions += [.cancelTimer(.reply(request: request)), .replied(request: request, nil)]
        }
        if case .connected(let id, _) = connection, channel.state == .joining || channel.state == .joined,
           let joinRef = channel.joinRef
        {
            actions.append(.send(id, PhoenixFrame(joinRef: joinRef, ref: makeRef(), topic: topic,
                                                  event: PhoenixFrame.Event.leave)))
        }
        return actions
    }

    /// Sends `event` on `topic` now if joined, else buffers it until the join; dropped
    /// for unknown or failed channels.
    mutating func push(_ topic: String, event: String, payload: JSONValue = .object([:]), request: Int? = nil) -> [Action] {
        let lost: [Action] = request.map { [.replied(request: $0, nil)] } ?? []
        guard var channel = channels[topic] else { return lost }
        var actions: [Action] = request.map { [.startTimer(.reply(request: $0), after: configuration.joinTimeout)] } ?? []
        switch channel.state {
        case .joined:
            guard case .connected(let id, _) = connection, let joinRef = channel.joinRef else { return lost }
            actions.append(send(Channel.Push(event: event, payload: payload, request: request), topic: topic,
                                joinRef: joinRef, on: id))
            return actions
        case .waiting, .joining:
            channel.buffer.append(Channel.Push(event: event, payload: payload, request: request))
            if channel.buffer.count > configuration.pushBufferLimit {
                if let dropped = channel.buffer.removeFirst().request { actions.append(.replied(request: dropped, nil)) }
            }
            channels[topic] = channel
            return actions
        case .failed:
            return lost
        }
    }

    // MARK: - Events

    /// The socket `id` opened.
    mutating func transportOpened(_ id: ConnectionID) -> [Action] {
        guard case .connecting(id) = connection else { return [.closeTransport(id)] }
        connection = .connected(id, pendingHeartbeat: nil)
        failures = 0
        var actions: [Action] = []
        setStatus(.connected, &actions)
        actions.append(.startTimer(.heartbeat, after: configuration.heartbeatInterval))
        for topic in channels.keys.sorted() where channels[topic]?.state == .waiting {
            sendJoin(topic, on: id, &actions)
        }
        return actions
    }

    /// The socket `id` failed to open (`handshakeRejected`: the server refused the
    /// upgrade), or closed or failed after opening.
    mutating func transportClosed(_ id: ConnectionID, handshakeRejected: Bool = false) -> [Action] {
        let code: RealtimeError.Code
        switch connection {
        case .connecting(id): code = handshakeRejected ? .handshakeRejected : .connectionFailed
        case .connected(id, _): code = .connectionLost
        default: return []
        }
        return dropConnection(id, Problem(code: code))
    }

    /// A frame arrived on socket `id`.
    mutating func received(_ frame: PhoenixFrame, on id: ConnectionID) -> [Action] {
        guard case .connected(id, let pendingHeartbeat) = connection else { return [] }
        if frame.topic == PhoenixFrame.phoenixTopic {
            if frame.event == PhoenixFrame.Event.reply, frame.ref != nil, frame.ref == pendingHeartbeat {
                connection = .connected(id, pendingHeartbeat: nil)
            }
            return []
        }
        guard var channel = channels[frame.topic] else { return [] }
        let topic = frame.topic
        let isCurrentJoin = channel.joinRef != nil && (channel.state == .joining || channel.state == .joined)
        switch frame.event {
        case PhoenixFrame.Event.reply:
            let reply = Reply(frame.payload)
            if channel.state == .joining, frame.ref == channel.joinRef {
                var actions: [Action] = [.cancelTimer(.joinTimeout(topic: topic))]
                if reply.isOK {
                    let isRejoin = channel.hasJoined
                    channel.state = .joined
                    channel.hasJoined = true
                    let buffered = channel.buffer
                    channel.buffer = []
                    channels[topic] = channel
                    actions.append(.channelJoined(topic: topic, isRejoin: isRejoin))
                    for push in buffered {
                        actions.append(send(push, topic: topic, joinRef: channel.joinRef, on: id))
                    }
                } else {
                    actions += fail(topic, &channel)
                    actions.append(.channelFailed(topic: topic, Problem(code: .joinRefused, topic: topic,
                                                                        reason: reply.reason)))
                }
                return actions
            }
            if let ref = frame.ref, let request = awaitingReplies.removeValue(forKey: ref) {
                let response = frame.payload.objectValue?["response"] ?? .object([:])
                return [.cancelTimer(.reply(request: request)),
                        .replied(request: request, PushReply(isOK: reply.isOK, response: response))]
            }
            if !reply.isOK, isCurrentJoin, frame.joinRef == channel.joinRef {
                return [.report(Problem(code: .pushRejected, topic: topic, reason: reply.reason))]
            }
            return []
        case PhoenixFrame.Event.close:
            // A close for an older join (a rejoin replaced it) says nothing about this one.
            guard isCurrentJoin, frame.joinRef == channel.joinRef else { return [] }
            return [.cancelTimer(.joinTimeout(topic: topic))] + fail(topic, &channel)
                + [.channelFailed(topic: topic, Problem(code: .closedByServer, topic: topic))]
        case PhoenixFrame.Event.error:
            // The server-side channel crashed: join again, as phoenix.js does.
            guard isCurrentJoin, frame.joinRef == channel.joinRef else { return [] }
            var actions: [Action] = [.channelInterrupted(topic: topic)]
            sendJoin(topic, on: id, &actions)
            return actions
        default:
            guard channel.state == .joined, frame.joinRef == nil || frame.joinRef == channel.joinRef else { return [] }
            return [.channelEvent(topic: topic, event: frame.event, payload: frame.payload)]
        }
    }

    /// A timer started by ``Action/startTimer(_:after:)`` ran out.
    mutating func timerFired(_ timer: Timer) -> [Action] {
        switch timer {
        case .reconnect:
            guard connection == .waitingToReconnect else { return [] }
            var actions: [Action] = []
            openConnection(&actions)
            return actions
        case .heartbeat:
            guard case .connected(let id, let pending) = connection else { return [] }
            if pending != nil {
                return dropConnection(id, Problem(code: .heartbeatTimeout))
            }
            let ref = makeRef()
            connection = .connected(id, pendingHeartbeat: ref)
            return [
                .send(id, PhoenixFrame(joinRef: nil, ref: ref, topic: PhoenixFrame.phoenixTopic,
                                       event: PhoenixFrame.Event.heartbeat)),
                .startTimer(.heartbeat, after: configuration.heartbeatInterval),
            ]
        case .reply(let request):
            // Sent and unanswered, or still waiting for its channel's join: either way, given up.
            if let ref = awaitingReplies.first(where: { $0.value == request })?.key { awaitingReplies[ref] = nil }
            for (topic, channel) in channels where channel.buffer.contains(where: { $0.request == request }) {
                channels[topic]?.buffer.removeAll { $0.request == request }
            }
            return [.replied(request: request, nil)]
        case .joinTimeout(let topic):
            guard case .connected(let id, _) = connection, channels[topic]?.state == .joining else { return [] }
            var actions: [Action] = []
            sendJoin(topic, on: id, &actions)
            return actions
        }
    }

    // MARK: - Helpers

    private struct Reply {
        var isOK: Bool
        var reason: String?

        init(_ payload: JSONValue) {
            let object = payload.objectValue
            isOK = object?["status"]?.stringValue == "ok"
            reason = object?["response"]?.objectValue?["reason"]?.stringValue
        }
    }

    private mutating func makeRef() -> String {
        lastRef += 1
        return String(lastRef)
    }

    private mutating func setStatus(_ new: RealtimeStatus, _ actions: inout [Action]) {
        guard new != status else { return }
        status = new
        actions.append(.setStatus(new))
    }

    private mutating func openConnection(_ actions: inout [Action]) {
        lastConnectionID += 1
        connection = .connecting(lastConnectionID)
        actions.append(.openTransport(lastConnectionID))
    }

    private mutating func sendJoin(_ topic: String, on id: ConnectionID, _ actions: inout [Action]) {
        guard var channel = channels[topic] else { return }
        let ref = makeRef()
        channel.state = .joining
        channel.joinRef = ref
        channels[topic] = channel
        actions.append(.send(id, PhoenixFrame(joinRef: ref, ref: ref, topic: topic, event: PhoenixFrame.Event.join)))
        actions.append(.startTimer(.joinTimeout(topic: topic), after: configuration.joinTimeout))
    }

    /// Sends one push, remembering a request's ref so its reply finds its way back.
    private mutating func send(_ push: Channel.Push, topic: String, joinRef: String?, on id: ConnectionID) -> Action {
        let ref = makeRef()
        if let request = push.request { awaitingReplies[ref] = request }
        return .send(id, PhoenixFrame(joinRef: joinRef, ref: ref, topic: topic, event: push.event, payload: push.payload))
    }

    /// Closes the channel for good; the requests still in its buffer get no reply.
    private mutating func fail(_ topic: String, _ channel: inout Channel) -> [Action] {
        let lost = channel.buffer.compactMap(\.request)
        channel.state = .failed
        channel.joinRef = nil
        channel.buffer = []
        channels[topic] = channel
        return lost.flatMap { [Action.cancelTimer(.reply(request: $0)), .replied(request: $0, nil)] }
    }

    /// Requests sent on a socket that is going away will get no reply.
    private mutating func abandonReplies(_ actions: inout [Action]) {
        for request in awaitingReplies.values.sorted() {
            actions += [.cancelTimer(.reply(request: request)), .replied(request: request, nil)]
        }
        awaitingReplies = [:]
    }

    /// Every channel that was joined or joining goes back to waiting for a socket.
    private mutating func interruptChannels(_ actions: inout [Action]) {
        for topic in channels.keys.sorted() {
            guard var channel = channels[topic], channel.state == .joining || channel.state == .joined else { continue }
            let wasJoined = channel.state == .joined
            channel.state = .waiting
            channel.joinRef = nil
            channels[topic] = channel
            actions.append(.cancelTimer(.joinTimeout(topic: topic)))
            if wasJoined { actions.append(.channelInterrupted(topic: topic)) }
        }
    }

    private mutating func dropConnection(_ id: ConnectionID, _ problem: Problem) -> [Action] {
        var actions: [Action] = [.closeTransport(id), .cancelTimer(.heartbeat)]
        abandonReplies(&actions)
        interruptChannels(&actions)
        actions.append(.report(problem))
        failures += 1
        connection = .waitingToReconnect
        setStatus(.reconnecting, &actions)
        actions.append(.startTimer(.reconnect, after: configuration.reconnectSchedule.delay(forAttempt: failures)))
        return actions
    }

    private mutating func shutDown(to final: Connection, _ actions: inout [Action]) {
        switch connection {
        case .connecting(let id), .connected(let id, _): actions.append(.closeTransport(id))
        default: break
        }
        actions += [.cancelTimer(.heartbeat), .cancelTimer(.reconnect)]
        abandonReplies(&actions)
        interruptChannels(&actions)
        connection = final
        failures = 0
        setStatus(.closed, &actions)
    }
}
