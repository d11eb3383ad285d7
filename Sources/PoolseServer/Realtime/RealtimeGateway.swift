import Foundation
import Logging
import NIOCore
import PoolseWire
import Prometheus
import ServiceLifecycle

/// The realtime hub of one node: which socket is on which topic, presence and typing. It reads
/// every event from `PubSub` and queues it on the sockets of its topic, encoded once per event:
/// one byte buffer shared by every socket (server pushes carry a null join ref, which Phoenix
/// clients accept, so the bytes are the same for everyone).
///
/// Depends on the `PubSub` protocol only, so several nodes share one. Presence crosses nodes
/// through it too: each node announces its sockets' joins and leaves, and every
/// `presenceHeartbeat` all of them at once (`GatewayCommand.presence…`); entries of a node
/// silent for `presenceTimeout` are dropped with `presence_diff` leaves, so presence of a node
/// that died disappears within that bound.
actor RealtimeGateway {
    /// How a join ended on the gateway's side.
    enum JoinOutcome: Equatable {
        case joined
        /// A membership was revoked since the join was authorized: authorize again.
        case retry
        /// The socket has already gone.
        case gone
    }

    private struct Subscription {
        let joinRef: String?
    }

    private let pubsub: any PubSub
    private let metrics: ServerMetrics
    private let logger: Logger
    private var sockets: [SocketID: SocketHandle] = [:]
    private var subscriptions: [String: [SocketID: Subscription]] = [:]
    private var topicsOf: [SocketID: Set<String>] = [:]
    private var presence = PresenceTracker()
    /// This node, as other nodes know it in presence announcements.
    let nodeId = IDs.make()
    private let heartbeatTimeout: Duration
    private let presenceHeartbeat: Duration
    private let presenceTimeout: Duration
    /// When each other node was last heard from.
    private var nodesHeard: [String: ContinuousClock.Instant] = [:]
    private var typing: TypingTracker
    /// Counts kicks and blocks, so that a join authorized before one can tell it must look again.
    private(set) var revocations: UInt64 = 0
    /// Typing events this node originates, published strictly one after another (start before stop).
    private let outbox: AsyncStream<[RealtimeMessage]>
    private let outboxInput: AsyncStream<[RealtimeMessage]>.Continuation
    private var serving = false
    private var subscribed = false
    private var waitingForSubscription: [CheckedContinuation<Void, Never>] = []

    init(pubsub: any PubSub, configuration: RealtimeConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.pubsub = pubsub
        self.metrics = metrics
        self.logger = logger
        typing = TypingTracker(timeout: configuration.typingTimeout)
        heartbeatTimeout = configuration.heartbeatTimeout
        presenceHeartbeat = configuration.presenceHeartbeat
        presenceTimeout = configuration.presenceTimeout
        (outbox, outboxInput) = AsyncStream<[RealtimeMessage]>.makeStream()
    }

    // MARK: - Delivery

    /// Delivers events until cancelled or shut down.
    func serve() async {
        // A second application built from the same app must not deliver everything twice.
        guard !serving else {
            try? await gracefulShutdown()
            return
        }
        serving = true
        let events = await pubsub.subscribe()
        subscribed = true
        for waiter in waitingForSubscription { waiter.resume() }
        waitingForSubscription.removeAll()
        await withDiscardingTaskGroup { group in
            let outbox = self.outbox
            let pubsub = self.pubsub
            group.addTask {
                for await messages in outbox { await pubsub.publish(messages) }
            }
            announce(.presenceHello(node: nodeId))
            let period = presenceHeartbeat
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: period)
                    await self.heartbeat()
                }
            }
            // One watchdog for every socket (a task per socket would cost each socket memory).
            let sweep = min(heartbeatTimeout / 4, .seconds(1))
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: sweep)
                    await self.closeSilentSockets()
                }
            }
            for await message in events.cancelOnGracefulShutdown() { deliver(message) }
            group.cancelAll()
        }
    }

    private func deliver(_ message: RealtimeMessage) {
        if message.topic == GatewayCommand.topic {
            // This node's own presence announcements come back too; it applied them already, so
            // they are dropped before their entries are decoded (a big room's joins and leaves
            // would otherwise each be decoded here for nothing).
            guard GatewayCommand.node(of: message) != nodeId, let command = GatewayCommand(message) else { return }
            apply(command)
            return
        }
        // Counted where events arrive: on one node, every published event.
        metrics.eventsPublished.increment()
        if message.topic.hasPrefix(MemberFanout.topicPrefix) {
            expand(message)
            return
        }
        broadcast(message)
        // Sending a message ends its sender's typing at once.
        if message.event == RealtimeEvent.messageNew, case .conversation(let id)? = Topic(message.topic),
           typing.isAnyoneTyping, let senderId = message.payload.objectValue?["sender_id"]?.stringValue {
            stopTyping(TypingTracker.Key(conversationId: id, userId: senderId))
        }
    }

    /// A member fan-out becomes one `user:<id>` event per recipient who has a socket here.
    private func expand(_ message: RealtimeMessage) {
        guard let fanout = MemberFanout.read(message.payloadJSON) else {
            logger.error("could not read a member fan-out", metadata: ["event": .string(message.event)])
            return
        }
        let subscriptions = self.subscriptions
        for each in fanout.messages(event: message.event, for: { subscriptions[RealtimeMessage.userTopic($0)] != nil }) {
            broadcast(each)
        }
    }

    /// Frames the event once and queues the same bytes on every socket of its topic.
    private func broadcast(_ message: RealtimeMessage) {
        guard let subscribed = subscriptions[message.topic], !subscribed.isEmpty else { return }
        let bytes = PhoenixFrame.pushBuffer(topic: message.topic, event: message.event, payloadJSON: message.payloadJSON)
        var targets: [SocketHandle] = []
        targets.reserveCapacity(subscribed.count)
        for id in subscribed.keys {
            guard let socket = sockets[id], socket.userId != message.exceptUserId else { continue }
            targets.append(socket)
        }
        let overflowed = SocketHandle.deliver(bytes, to: targets)
        metrics.eventsDelivered.increment(by: Int64(targets.count - overflowed.count))
        for socket in overflowed {
            metrics.outboundQueueDrops.increment()
            logger.notice("disconnected a socket that could not keep up", metadata: ["user_id": .string(socket.userId)])
            remove(socket)
        }
    }

    private func apply(_ command: GatewayCommand) {
        switch command {
        case .revokeMembership(let conversationId, let userId):
            revocations &+= 1
            let topic = RealtimeMessage.conversationTopic(conversationId)
            for id in subscriptions[topic]?.keys.map({ $0 }) ?? [] {
                guard let socket = sockets[id], socket.userId == userId else { continue }
                close(socket, topic: topic)
            }
        case .disconnectUser(let userId):
            revocations &+= 1
            for socket in sockets.values where socket.userId == userId {
                for topic in topicsOf[socket.id] ?? [] { close(socket, topic: topic) }
                remove(socket)
                socket.finish()
            }
        case .presenceJoin(let node, let entry):
            guard heard(node) else { return }
            broadcastPresence(entry.topic, presence.join(topic: entry.topic, owner: .remote(node: node, phxRef: entry.meta.phxRef),
                                                         userId: entry.userId, meta: entry.meta))
        case .presenceLeave(let node, let entry):
            guard heard(node) else { return }
            if let diff = presence.leave(topic: entry.topic, owner: .remote(node: node, phxRef: entry.meta.phxRef)) {
                broadcastPresence(entry.topic, diff)
            }
        case .presenceHeartbeat(let node, let entries):
            guard heard(node) else { return }
            for (topic, diff) in presence.replace(node: node, with: entries) { broadcastPresence(topic, diff) }
        case .presenceHello(let node):
            guard heard(node) else { return }
            announce(.presenceHeartbeat(node: nodeId, presence.localEntries))
        }
    }

    /// Closes the sockets nothing has come from for the heartbeat timeout (PROTOCOL.md §6).
    private func closeSilentSockets() {
        let cutoff = ContinuousClock.now - heartbeatTimeout
        for socket in sockets.values where socket.lastHeard < cutoff {
            logger.debug("closing a silent socket", metadata: ["user_id": .string(socket.userId)])
            socket.finish()
        }
    }

    // MARK: - Presence across nodes

    /// Notes that `node` is alive; false for this node's own announcements, which it already applied.
    private func heard(_ node: String) -> Bool {
        guard node != nodeId else { return false }
        nodesHeard[node] = .now
        return true
    }

    /// Announces this node's presence, and drops the nodes that went silent.
    private func heartbeat() {
        announce(.presenceHeartbeat(node: nodeId, presence.localEntries))
        let now = ContinuousClock.now
        for (node, last) in nodesHeard where now - last > presenceTimeout {
            nodesHeard[node] = nil
            logger.notice("dropped the presence of a silent node", metadata: ["node": .string(node)])
            for (topic, diff) in presence.drop(node: node) { broadcastPresence(topic, diff) }
        }
    }

    /// Presence commands share the outbox with typing, so other nodes see them in the order they happened.
    private func announce(_ command: GatewayCommand) {
        outboxInput.yield([command.message])
    }

    private func broadcastPresence(_ topic: String, _ diff: PresenceDiff) {
        guard let message = try? RealtimeMessage(topic: topic, event: RealtimeEvent.presenceDiff, encoding: diff) else { return }
        broadcast(message)
    }

    /// Drops the socket from the topic and tells it with `phx_close`, after which nothing more comes.
    private func close(_ socket: SocketHandle, topic: String) {
        guard let subscription = unsubscribe(socket, from: topic) else { return }
        socket.send(SocketSession.closeFrame(topic: topic, joinRef: subscription.joinRef))
        socket.kicked(from: topic, joinRef: subscription.joinRef)
    }

    // MARK: - Sockets

    /// Adds a connected socket. Waits, the first time, until the gateway receives events.
    func register(_ socket: SocketHandle) async {
        if !subscribed { await withCheckedContinuation { waitingForSubscription.append($0) } }
        sockets[socket.id] = socket
        metrics.openSockets.increment()
    }

    /// Removes a socket that has ended, with the presence leaves and typing stops that follow.
    func disconnect(_ socket: SocketHandle) {
        remove(socket)
    }

    /// Joins a socket to a topic it was authorized for when `revocations` was `epoch`: replies ok,
    /// subscribes, and for a conversation sends `presence_state` to the joiner and `presence_diff`
    /// to everyone, in that order and before any event of the topic.
    func join(_ socket: SocketHandle, topic: Topic, request: PhoenixFrame, authorizedAt epoch: UInt64) -> JoinOutcome {
        guard sockets[socket.id] != nil else { return .gone }
        guard epoch == revocations else { return .retry }
        let name = topic.name
        socket.send(request.reply(status: "ok"))
        let rejoin = subscriptions[name]?[socket.id] != nil
        subscriptions[name, default: [:]][socket.id] = Subscription(joinRef: request.joinRef)
        guard case .conversation = topic else {
            if !rejoin { joined(socket, name) }
            return .joined
        }
        guard !rejoin else {
            // A re-join keeps the socket's presence: the joiner gets the state again, peers nothing.
            sendPresenceState(to: socket, topic: name, joinRef: request.joinRef, presence.state(of: name))
            return .joined
        }
        joined(socket, name)
        let meta = PresenceMeta(phxRef: IDs.make(), onlineAt: Int64(Date().timeIntervalSince1970),
                                externalId: socket.externalId)
        let (state, diff) = presence.join(topic: name, socket: socket.id, userId: socket.userId, meta: meta)
        announce(.presenceJoin(node: nodeId, PresenceAnnouncement(topic: name, userId: socket.userId, meta: meta)))
        sendPresenceState(to: socket, topic: name, joinRef: request.joinRef, state)
        broadcastPresence(name, diff)
        return .joined
    }

    private func joined(_ socket: SocketHandle, _ topic: String) {
        topicsOf[socket.id, default: []].insert(topic)
        metrics.joinedChannels.increment()
    }

    private func sendPresenceState(to socket: SocketHandle, topic: String, joinRef: String?, _ state: PresenceState) {
        // Encoded straight to text: in a big room every join carries everyone's presence.
        guard let state = try? WireCoding.encoder.encode(state) else { return }
        socket.enqueue(PhoenixFrame.pushBuffer(joinRef: joinRef, topic: topic, event: RealtimeEvent.presenceState,
                                               payloadJSON: String(decoding: state, as: UTF8.self)))
    }

    /// The socket left the topic.
    func leave(_ socket: SocketHandle, topic: String) {
        unsubscribe(socket, from: topic)
    }

    // MARK: - Typing

    /// A `typing` push (already rate-limited): `typing:start` to peers unless the user is already
    /// typing there, and a timer that sends `typing:stop` once pushes stop coming.
    func typing(_ socket: SocketHandle, conversationId: String) {
        guard subscriptions[RealtimeMessage.conversationTopic(conversationId)]?[socket.id] != nil else { return }
        let key = TypingTracker.Key(conversationId: conversationId, userId: socket.userId)
        guard typing.typed(key, externalId: socket.externalId, at: .now) else { return }
        publishTyping(RealtimeEvent.typingStart, key, externalId: socket.externalId)
        let firstWake = ContinuousClock.now + typing.timeout
        Task {
            var wake = firstWake
            while true {
                try? await Task.sleep(until: wake, clock: .continuous)
                guard let next = self.typingTimerFired(key) else { return }
                wake = next
            }
        }
    }

    /// The typist's timer woke: the next time to wake, or nil when typing is over.
    private func typingTimerFired(_ key: TypingTracker.Key) -> ContinuousClock.Instant? {
        switch typing.timerFired(key, at: .now) {
        case .sleep(let until):
            return until
        case .stop(let externalId):
            publishTyping(RealtimeEvent.typingStop, key, externalId: externalId)
            return nil
        case .done:
            return nil
        }
    }

    private func stopTyping(_ key: TypingTracker.Key) {
        guard let externalId = typing.stop(key) else { return }
        publishTyping(RealtimeEvent.typingStop, key, externalId: externalId)
    }

    /// Typing goes through `PubSub` like every event, so peers on other nodes get it too.
    private func publishTyping(_ event: String, _ key: TypingTracker.Key, externalId: String) {
        guard let message = try? RealtimeMessage(topic: RealtimeMessage.conversationTopic(key.conversationId), event: event,
                                                 encoding: TypingEvent(userId: key.userId, externalId: externalId),
                                                 exceptUserId: key.userId)
        else { return }
        outboxInput.yield([message])
    }

    // MARK: - Bookkeeping

    private func remove(_ socket: SocketHandle) {
        guard sockets.removeValue(forKey: socket.id) != nil else { return }
        metrics.openSockets.decrement()
        for topic in topicsOf[socket.id] ?? [] { unsubscribe(socket, from: topic) }
        topicsOf[socket.id] = nil
    }

    /// Drops one subscription, with its presence leave and, when the user has no other socket
    /// there, the end of their typing.
    @discardableResult
    private func unsubscribe(_ socket: SocketHandle, from topic: String) -> Subscription? {
        guard let subscription = subscriptions[topic]?.removeValue(forKey: socket.id) else { return nil }
        if subscriptions[topic]?.isEmpty == true { subscriptions[topic] = nil }
        topicsOf[socket.id]?.remove(topic)
        metrics.joinedChannels.decrement()
        guard case .conversation(let conversationId)? = Topic(topic) else { return subscription }
        if let diff = presence.leave(topic: topic, socket: socket.id) {
            broadcastPresence(topic, diff)
            for meta in diff.leaves[socket.userId]?.metas ?? [] {
                announce(.presenceLeave(node: nodeId, PresenceAnnouncement(topic: topic, userId: socket.userId, meta: meta)))
            }
        }
        let stillThere = subscriptions[topic]?.keys.contains { sockets[$0]?.userId == socket.userId } ?? false
        if !stillThere { stopTyping(TypingTracker.Key(conversationId: conversationId, userId: socket.userId)) }
        return subscription
    }

    /// Sockets connected to this node (for tests and metrics).
    var socketCount: Int { sockets.count }
}

extension RealtimeGateway: Service {
    nonisolated func run() async throws {
        await serve()
    }
}
