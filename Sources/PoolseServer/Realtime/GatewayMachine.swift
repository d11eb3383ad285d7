import NIOCore
import PoolseWire

/// The realtime gateway of one node as a pure value: which socket is on which topic, presence,
/// typing, revocations and the liveness of sockets and of other nodes. Every input is a
/// `mutating` method that takes the time (`now`) and returns the `Action`s to carry out;
/// `RealtimeGateway` carries them out and feeds back what happens (a socket that could not keep
/// up is disconnected). Tests drive it with in-memory sockets, no network and no clock.
///
/// It decides *who* gets a frame; the executor writes the bytes. An event is framed once here
/// and the same buffer goes to every socket of its topic (server pushes carry a null join ref,
/// which Phoenix clients accept, so the bytes are the same for everyone).
///
/// Time: the machine asks to be woken (`Action.wake(at:)`) at the earliest of its deadlines —
/// the next silence sweep of the sockets, the next presence heartbeat, the first `typing:stop`
/// due and the first other node due to be dropped — and `tick(now:)` does what is due.
struct GatewayMachine<Socket: GatewaySocket> {
    /// How a join ended.
    enum JoinOutcome: Equatable {
        case joined
        /// A membership was revoked since the join was authorized: authorize again.
        case retry
        /// The socket has already gone.
        case gone
    }

    enum Action {
        /// Write one shared frame to these sockets: an event of their topic.
        case deliver(ByteBuffer, to: [Socket])
        /// Write a frame to one socket (a join's reply, `phx_close`).
        case send(PhoenixFrame, to: Socket)
        /// Write an encoded frame to one socket (`presence_state`).
        case sendEncoded(ByteBuffer, to: Socket)
        /// The socket was dropped from `topic` behind its session's back: tell the session.
        case kicked(Socket, topic: String, joinRef: String?)
        /// Close the socket once its queued frames are written (blocked, or silent too long).
        case close(Socket)
        /// Publish through `PubSub` to every node, this one included (typing, presence of this
        /// node's sockets), in order.
        case announce(RealtimeMessage)
        /// Call `tick(now:)` at this instant (earlier than any wake asked for before).
        case wake(at: ContinuousClock.Instant)
        /// Something an operator should know (a node dropped).
        case notice(String, node: String)
    }

    /// Timeouts and periods (`RealtimeConfiguration`).
    struct Settings {
        var heartbeatTimeout: Duration
        var presenceHeartbeat: Duration
        var presenceTimeout: Duration
        var typingTimeout: Duration

        init(_ configuration: RealtimeConfiguration) {
            heartbeatTimeout = configuration.heartbeatTimeout
            presenceHeartbeat = configuration.presenceHeartbeat
            presenceTimeout = configuration.presenceTimeout
            typingTimeout = configuration.typingTimeout
        }

        /// How often sockets are checked for silence: a quarter of the timeout, at most a second.
        var sweepPeriod: Duration { min(heartbeatTimeout / 4, .seconds(1)) }
    }

    struct Subscription {
        let socket: Socket
        let joinRef: String?
    }

    /// This node, as other nodes know it in presence announcements.
    let nodeId: String
    let settings: Settings
    private(set) var sockets: [SocketID: Socket] = [:]
    private(set) var subscriptions: [String: [SocketID: Subscription]] = [:]
    private var topicsOf: [SocketID: Set<String>] = [:]
    private var presence = PresenceTracker()
    /// Who is in each voice room, cluster-wide (`GatewayMachine+Voice`).
    var voiceRooms = VoiceRoomTracker()

    /// Users with a socket on `topic`, on this node or (as announced) on any other.
    func presentUsers(topic: String) -> Set<String> { Set(presence.state(of: topic).keys) }
    private var typing: TypingTracker
    /// Whom each user with a socket here blocks: their typing and presence are not shown to
    /// that user's sockets (their messages are hidden where they are made, `hiddenFrom`).
    private var blocking: [String: Set<String>] = [:]
    /// When each other node was last heard from.
    private var nodesHeard: [String: ContinuousClock.Instant] = [:]
    /// Counts kicks and blocks, so that a join authorized before one can tell it must look again.
    private(set) var revocations: UInt64 = 0
    /// Subscriptions across sockets (for the metric).
    private(set) var joinedCount = 0
    private var nextSweep: ContinuousClock.Instant
    private var nextPresenceHeartbeat: ContinuousClock.Instant
    /// The earliest wake asked for and not yet ticked.
    private var wakeAt: ContinuousClock.Instant?

    init(nodeId: String, settings: Settings, now: ContinuousClock.Instant) {
        self.nodeId = nodeId
        self.settings = settings
        typing = TypingTracker(timeout: settings.typingTimeout)
        nextSweep = now + settings.sweepPeriod
        nextPresenceHeartbeat = now + settings.presenceHeartbeat
    }

    // MARK: - Inputs

    /// The gateway starts receiving events: it says hello (every other node answers with its
    /// presence) and asks for its first wake.
    mutating func start() -> [Action] {
        var actions: [Action] = [.announce(GatewayCommand.presenceHello(node: nodeId).message)]
        schedule(min(nextSweep, nextPresenceHeartbeat), &actions)
        return actions
    }

    /// A socket connected; `blocking` is whom its user blocks (read when it connected).
    mutating func register(_ socket: Socket, blocking blocked: Set<String> = []) {
        sockets[socket.id] = socket
        if !blocked.isEmpty { blocking[socket.userId] = blocked }
    }

    /// A socket ended: its presence leaves and typing stops follow.
    mutating func disconnect(_ socket: Socket) -> [Action] {
        var actions: [Action] = []
        remove(socket, &actions)
        return actions
    }

    /// Joins a socket to a topic it was authorized for when `revocations` was `epoch`: replies
    /// ok, subscribes, and for a conversation sends `presence_state` to the joiner and
    /// `presence_diff` to everyone, in that order and before any event of the topic.
    ///
    /// A re-join of a topic the socket is on keeps its subscription and its presence (`meta` is
    /// not used): the joiner gets the state again and peers get nothing.
    mutating func join(_ socket: Socket, topic: Topic, request: PhoenixFrame, authorizedAt epoch: UInt64,
                       meta: PresenceMeta) -> (JoinOutcome, [Action]) {
        guard sockets[socket.id] != nil else { return (.gone, []) }
        guard epoch == revocations else { return (.retry, []) }
        let name = topic.name
        var actions: [Action] = [.send(request.reply(status: "ok"), to: socket)]
        let rejoin = subscriptions[name]?[socket.id] != nil
        subscriptions[name, default: [:]][socket.id] = Subscription(socket: socket, joinRef: request.joinRef)
        if !rejoin {
            topicsOf[socket.id, default: []].insert(name)
            joinedCount += 1
        }
        if case .voice = topic {
            sendVoiceState(to: socket, topic: name, joinRef: request.joinRef, &actions)
            return (.joined, actions)
        }
        guard case .conversation = topic else { return (.joined, actions) }
        guard !rejoin else {
            sendPresenceState(presence.state(of: name), to: socket, topic: name, joinRef: request.joinRef, &actions)
            return (.joined, actions)
        }
        let (state, diff) = presence.join(topic: name, socket: socket.id, userId: socket.userId, meta: meta)
        actions.append(.announce(GatewayCommand.presenceJoin(
            node: nodeId, PresenceAnnouncement(topic: name, userId: socket.userId, meta: meta)).message))
        sendPresenceState(state, to: socket, topic: name, joinRef: request.joinRef, &actions)
        broadcastPresence(name, diff, &actions)
        return (.joined, actions)
    }

    /// The socket left the topic (or a re-join of it was refused).
    mutating func leave(_ socket: Socket, topic: String) -> [Action] {
        var actions: [Action] = []
        unsubscribe(socket, from: topic, &actions)
        return actions
    }

    /// A `typing` push (already rate-limited): `typing:start` to peers unless the user is
    /// already typing there; `typing:stop` once pushes stop coming for the timeout.
    mutating func typing(_ socket: Socket, conversationId: String, now: ContinuousClock.Instant) -> [Action] {
        guard subscriptions[RealtimeMessage.conversationTopic(conversationId)]?[socket.id] != nil else { return [] }
        let key = TypingTracker.Key(conversationId: conversationId, userId: socket.userId)
        guard typing.typed(key, externalId: socket.externalId, at: now) else { return [] }
        var actions: [Action] = []
        announceTyping(RealtimeEvent.typingStart, key, externalId: socket.externalId, &actions)
        schedule(now + typing.timeout, &actions)
        return actions
    }

    /// An event or a command from `PubSub`, received at `now` (read only for commands: events,
    /// the hot path, do not need the time).
    mutating func receive(_ message: RealtimeMessage, now: @autoclosure () -> ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if message.topic == GatewayCommand.topic {
            // This node's own presence announcements come back too; it applied them already, so
            // they are dropped before their entries are decoded (a big room's joins and leaves
            // would otherwise each be decoded here for nothing).
            guard GatewayCommand.node(of: message) != nodeId, let command = GatewayCommand(message) else { return [] }
            apply(command, now: now(), &actions)
            return actions
        }
        if message.topic.hasPrefix(MemberFanout.topicPrefix) {
            expand(message, &actions)
            return actions
        }
        if message.event == VoiceEvent.signal, message.topic.hasPrefix(VoiceEvent.topicPrefix) {
            deliverSignal(message, &actions)
            return actions
        }
        broadcast(message, &actions)
        // Sending a message ends its sender's typing at once.
        if message.event == RealtimeEvent.messageNew, typing.isAnyoneTyping, case .conversation(let id)? = Topic(message.topic),
           let senderId = message.payload.objectValue?["sender_id"]?.stringValue {
            stopTyping(TypingTracker.Key(conversationId: id, userId: senderId), &actions)
        }
        return actions
    }

    /// Time passed: does what is due at `now` and asks for the next wake.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        wakeAt = nil
        for (key, externalId) in typing.expire(at: now) {
            announceTyping(RealtimeEvent.typingStop, key, externalId: externalId, &actions)
        }
        if now >= nextPresenceHeartbeat {
            actions.append(.announce(GatewayCommand.presenceHeartbeat(node: nodeId, presence.localEntries).message))
            actions.append(.announce(GatewayCommand.voiceHeartbeat(node: nodeId, voiceRooms.localEntries).message))
            nextPresenceHeartbeat = now + settings.presenceHeartbeat
        }
        for (node, last) in nodesHeard where now - last >= settings.presenceTimeout {
            nodesHeard[node] = nil
            actions.append(.notice("dropped the presence of a silent node", node: node))
            for (topic, diff) in presence.drop(node: node) { broadcastPresence(topic, diff, &actions) }
            replaceVoiceEntries(of: node, with: [], &actions)
        }
        if now >= nextSweep {
            // Closes the sockets nothing has come from for the heartbeat timeout (PROTOCOL.md §6).
            let cutoff = now - settings.heartbeatTimeout
            for socket in sockets.values where socket.lastHeard < cutoff { actions.append(.close(socket)) }
            nextSweep = now + settings.sweepPeriod
        }
        var next = min(nextSweep, nextPresenceHeartbeat)
        if let typingDeadline = typing.nextDeadline { next = min(next, typingDeadline) }
        if let oldest = nodesHeard.values.min() { next = min(next, oldest + settings.presenceTimeout) }
        schedule(next, &actions)
        return actions
    }

    /// Sockets connected to this node.
    var socketCount: Int { sockets.count }

    // MARK: - Delivery

    /// A member fan-out becomes one `user:<id>` event per recipient who has a socket here.
    private func expand(_ message: RealtimeMessage, _ actions: inout [Action]) {
        guard let fanout = MemberFanout.read(message.payloadJSON) else {
            actions.append(.notice("could not read a member fan-out (\(message.event))", node: nodeId))
            return
        }
        let subscriptions = self.subscriptions
        for each in fanout.messages(event: message.event, for: { subscriptions[RealtimeMessage.userTopic($0)] != nil }) {
            broadcast(each, &actions)
        }
    }

    /// Frames the event once for every socket of its topic.
    func broadcast(_ message: RealtimeMessage, _ actions: inout [Action]) {
        guard let subscribed = subscriptions[message.topic], !subscribed.isEmpty else { return }
        var targets: [Socket] = []
        targets.reserveCapacity(subscribed.count)
        // Typing is announced with the typist as `exceptUserId`: nobody who blocks them sees it.
        let typist = message.event.hasPrefix("typing:") && !blocking.isEmpty ? message.exceptUserId : nil
        if message.exceptUserId != nil || !message.hiddenFrom.isEmpty {
            // Typing goes to peers only; a message is hidden from members who block its sender.
            for subscription in subscribed.values where !message.excludes(subscription.socket.userId) {
                if let typist, blocking[subscription.socket.userId]?.contains(typist) == true { continue }
                targets.append(subscription.socket)
            }
        } else {
            for subscription in subscribed.values { targets.append(subscription.socket) }
        }
        guard !targets.isEmpty else { return }
        let bytes = PhoenixFrame.pushBuffer(topic: message.topic, event: message.event, payloadJSON: message.payloadJSON)
        actions.append(.deliver(bytes, to: targets))
    }

    /// One shared diff for the room; a member who blocks someone in it gets a diff of their own
    /// without that user (nothing at all when nothing is left).
    private func broadcastPresence(_ topic: String, _ diff: PresenceDiff, _ actions: inout [Action]) {
        guard var message = try? RealtimeMessage(topic: topic, event: RealtimeEvent.presenceDiff, encoding: diff) else { return }
        var personal: [(Socket, PresenceDiff)] = []
        if !blocking.isEmpty, let subscribed = subscriptions[topic] {
            for subscription in subscribed.values {
                guard let blocked = blocking[subscription.socket.userId],
                      diff.joins.keys.contains(where: blocked.contains) || diff.leaves.keys.contains(where: blocked.contains)
                else { continue }
                message.hiddenFrom.append(subscription.socket.userId)
                let filtered = PresenceDiff(joins: diff.joins.filter { !blocked.contains($0.key) },
                                            leaves: diff.leaves.filter { !blocked.contains($0.key) })
                personal.append((subscription.socket, filtered))
            }
        }
        broadcast(message, &actions)
        for (socket, filtered) in personal where !filtered.joins.isEmpty || !filtered.leaves.isEmpty {
            guard let payload = try? WireCoding.encoder.encode(filtered) else { continue }
            actions.append(.sendEncoded(PhoenixFrame.pushBuffer(topic: topic, event: RealtimeEvent.presenceDiff,
                                                                payloadJSON: String(decoding: payload, as: UTF8.self)),
                                        to: socket))
        }
    }

    private func sendPresenceState(_ state: PresenceState, to socket: Socket, topic: String, joinRef: String?,
                                   _ actions: inout [Action]) {
        // The users the joiner blocks are left out of what it sees.
        var state = state
        if let blocked = blocking[socket.userId] { state = state.filter { !blocked.contains($0.key) } }
        // Encoded straight to text: in a big room every join carries everyone's presence.
        guard let state = try? WireCoding.encoder.encode(state) else { return }
        actions.append(.sendEncoded(PhoenixFrame.pushBuffer(joinRef: joinRef, topic: topic, event: RealtimeEvent.presenceState,
                                                            payloadJSON: String(decoding: state, as: UTF8.self)),
                                    to: socket))
    }

    // MARK: - Commands from every node

    private mutating func apply(_ command: GatewayCommand, now: ContinuousClock.Instant, _ actions: inout [Action]) {
        switch command {
        case .revokeMembership(let conversationId, let userId):
            revocations &+= 1
            for topic in [RealtimeMessage.conversationTopic(conversationId), VoiceEvent.topic(conversationId)] {
                for subscription in subscriptions[topic]?.values.map({ $0 }) ?? [] where subscription.socket.userId == userId {
                    close(subscription.socket, topic: topic, &actions)
                }
            }
        case .disconnectUser(let userId):
            revocations &+= 1
            for socket in sockets.values where socket.userId == userId {
                for topic in topicsOf[socket.id] ?? [] { close(socket, topic: topic, &actions) }
                remove(socket, &actions)
                actions.append(.close(socket))
            }
        case .blocksChanged(let userId, let blocked):
            guard sockets.values.contains(where: { $0.userId == userId }) else { return }
            blocking[userId] = blocked.isEmpty ? nil : Set(blocked)
        case .presenceJoin(let node, let entry):
            guard heard(node, at: now, &actions) else { return }
            broadcastPresence(entry.topic, presence.join(topic: entry.topic, owner: .remote(node: node, phxRef: entry.meta.phxRef),
                                                         userId: entry.userId, meta: entry.meta), &actions)
        case .presenceLeave(let node, let entry):
            guard heard(node, at: now, &actions) else { return }
            if let diff = presence.leave(topic: entry.topic, owner: .remote(node: node, phxRef: entry.meta.phxRef)) {
                broadcastPresence(entry.topic, diff, &actions)
            }
        case .presenceHeartbeat(let node, let entries):
            guard heard(node, at: now, &actions) else { return }
            for (topic, diff) in presence.replace(node: node, with: entries) { broadcastPresence(topic, diff, &actions) }
        case .presenceHello(let node):
            guard heard(node, at: now, &actions) else { return }
            actions.append(.announce(GatewayCommand.presenceHeartbeat(node: nodeId, presence.localEntries).message))
            actions.append(.announce(GatewayCommand.voiceHeartbeat(node: nodeId, voiceRooms.localEntries).message))
        case .voiceJoin, .voiceLeave, .voiceHeartbeat:
            applyVoice(command, now: now, &actions)
        }
    }

    /// Notes that `node` is alive; false for this node's own announcements, which it already applied.
    mutating func heard(_ node: String, at now: ContinuousClock.Instant, _ actions: inout [Action]) -> Bool {
        guard node != nodeId else { return false }
        nodesHeard[node] = now
        schedule(now + settings.presenceTimeout, &actions)
        return true
    }

    // MARK: - Typing

    private mutating func stopTyping(_ key: TypingTracker.Key, _ actions: inout [Action]) {
        guard let externalId = typing.stop(key) else { return }
        announceTyping(RealtimeEvent.typingStop, key, externalId: externalId, &actions)
    }

    /// Typing goes through `PubSub` like every event, so peers on other nodes get it too.
    private func announceTyping(_ event: String, _ key: TypingTracker.Key, externalId: String, _ actions: inout [Action]) {
        guard let message = try? RealtimeMessage(topic: RealtimeMessage.conversationTopic(key.conversationId), event: event,
                                                 encoding: TypingEvent(userId: key.userId, externalId: externalId),
                                                 exceptUserId: key.userId)
        else { return }
        actions.append(.announce(message))
    }

    // MARK: - Bookkeeping

    /// Asks for a wake at `deadline` unless an earlier one is already asked for.
    mutating func schedule(_ deadline: ContinuousClock.Instant, _ actions: inout [Action]) {
        if let wakeAt, wakeAt <= deadline { return }
        wakeAt = deadline
        actions.append(.wake(at: deadline))
    }

    /// Drops the socket from the topic and tells it with `phx_close`, after which nothing more comes.
    private mutating func close(_ socket: Socket, topic: String, _ actions: inout [Action]) {
        guard let subscription = unsubscribe(socket, from: topic, &actions) else { return }
        actions.append(.send(SocketSession.closeFrame(topic: topic, joinRef: subscription.joinRef), to: socket))
        actions.append(.kicked(socket, topic: topic, joinRef: subscription.joinRef))
    }

    private mutating func remove(_ socket: Socket, _ actions: inout [Action]) {
        guard sockets.removeValue(forKey: socket.id) != nil else { return }
        for topic in topicsOf[socket.id] ?? [] { unsubscribe(socket, from: topic, &actions) }
        topicsOf[socket.id] = nil
        if !sockets.values.contains(where: { $0.userId == socket.userId }) { blocking[socket.userId] = nil }
    }

    /// Drops one subscription, with its presence leave and, when the user has no other socket
    /// there, the end of their typing.
    @discardableResult
    private mutating func unsubscribe(_ socket: Socket, from topic: String, _ actions: inout [Action]) -> Subscription? {
        guard let subscription = subscriptions[topic]?.removeValue(forKey: socket.id) else { return nil }
        if subscriptions[topic]?.isEmpty == true { subscriptions[topic] = nil }
        topicsOf[socket.id]?.remove(topic)
        joinedCount -= 1
        leaveVoiceRoom(socket, topic: topic, &actions)
        guard case .conversation(let conversationId)? = Topic(topic) else { return subscription }
        if let diff = presence.leave(topic: topic, socket: socket.id) {
            broadcastPresence(topic, diff, &actions)
            for meta in diff.leaves[socket.userId]?.metas ?? [] {
                actions.append(.announce(GatewayCommand.presenceLeave(
                    node: nodeId, PresenceAnnouncement(topic: topic, userId: socket.userId, meta: meta)).message))
            }
        }
        let stillThere = subscriptions[topic]?.values.contains { $0.socket.userId == socket.userId } ?? false
        if !stillThere { stopTyping(TypingTracker.Key(conversationId: conversationId, userId: socket.userId), &actions) }
        return subscription
    }
}

extension GatewayMachine.Action: Equatable where Socket: Equatable {}
