import Foundation
import Logging
import NIOCore
import PoolseWire
import Prometheus
import ServiceLifecycle

/// The realtime hub of one node, as the server runs it: sockets are WebSockets.
typealias RealtimeGateway = GatewayExecutor<SocketHandle>

/// Runs a `GatewayMachine`: feeds it the events from `PubSub`, the sockets' joins, leaves and
/// typing, and the time from its clock, and carries out what it decides. It only executes:
/// which socket gets which frame, presence, typing and liveness are the machine's.
///
/// Depends on the `PubSub` protocol only, so several nodes share one. Presence crosses nodes
/// through it too: each node announces its sockets' joins and leaves, and every
/// `presenceHeartbeat` all of them at once (`GatewayCommand.presence…`); entries of a node
/// silent for `presenceTimeout` are dropped with `presence_diff` leaves, so presence of a node
/// that died disappears within that bound.
actor GatewayExecutor<Socket: GatewaySocket> {
    typealias Machine = GatewayMachine<Socket>
    typealias JoinOutcome = Machine.JoinOutcome

    private let pubsub: any PubSub
    private let metrics: ServerMetrics
    private let logger: Logger
    private let clock: any GatewayClock
    private var machine: Machine
    /// What this node announces (typing, presence), published strictly one after another so
    /// other nodes see it in the order it happened (a typing start before its stop).
    private let outbox: AsyncStream<[RealtimeMessage]>
    private let outboxInput: AsyncStream<[RealtimeMessage]>.Continuation
    /// The one timer: when it fires and the task that waits for it.
    private var timer: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?
    /// The gauges as last set, so that an event that changes neither does not touch them.
    private var reported = (sockets: -1, joined: -1)
    private var serving = false
    private var subscribed = false
    private var waitingForSubscription: [CheckedContinuation<Void, Never>] = []

    init(pubsub: any PubSub, configuration: RealtimeConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.pubsub = pubsub
        self.metrics = metrics
        self.logger = logger
        clock = configuration.clock
        machine = Machine(nodeId: IDs.make(), settings: Machine.Settings(configuration), now: configuration.clock.now)
        (outbox, outboxInput) = AsyncStream<[RealtimeMessage]>.makeStream()
    }

    /// Users with a socket joined to the conversation on any node (see `ConversationPresence`).
    func presentUsers(conversationId: String) -> Set<String> {
        machine.presentUsers(topic: RealtimeMessage.conversationTopic(conversationId))
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
            execute(machine.start())
            for await message in events.cancelOnGracefulShutdown() {
                // Counted where events arrive: on one node, every published event.
                if message.topic != GatewayCommand.topic { metrics.eventsPublished.increment() }
                execute(machine.receive(message, now: clock.now))
            }
            timer?.task.cancel()
            timer = nil
            // A publish stuck on a database that went away must not hold the shutdown.
            group.cancelAll()
        }
    }

    /// The timer for `deadline` fired: whatever is due now.
    private func tick(_ deadline: ContinuousClock.Instant) {
        if timer?.deadline == deadline { timer = nil }
        execute(machine.tick(now: clock.now))
    }

    // MARK: - Sockets

    /// Adds a connected socket (`blocking`: whom its user blocks). Waits, the first time, until
    /// the gateway receives events.
    func register(_ socket: Socket, blocking: Set<String> = []) async {
        if !subscribed { await withCheckedContinuation { waitingForSubscription.append($0) } }
        machine.register(socket, blocking: blocking)
        reportGauges()
    }

    /// Removes a socket that has ended, with the presence leaves and typing stops that follow.
    func disconnect(_ socket: Socket) {
        execute(machine.disconnect(socket))
    }

    /// Counts kicks and blocks, so that a join authorized before one can tell it must look again.
    var revocations: UInt64 { machine.revocations }

    /// Joins a socket to a topic it was authorized for when `revocations` was `epoch`
    /// (`GatewayMachine.join`).
    func join(_ socket: Socket, topic: Topic, request: PhoenixFrame, authorizedAt epoch: UInt64) -> JoinOutcome {
        let meta = PresenceMeta(phxRef: IDs.make(), onlineAt: Int64(Date().timeIntervalSince1970), externalId: socket.externalId)
        let (outcome, actions) = machine.join(socket, topic: topic, request: request, authorizedAt: epoch, meta: meta)
        execute(actions)
        return outcome
    }

    /// The socket left the topic.
    func leave(_ socket: Socket, topic: String) {
        execute(machine.leave(socket, topic: topic))
    }

    /// A `typing` push (already rate-limited).
    func typing(_ socket: Socket, conversationId: String) {
        execute(machine.typing(socket, conversationId: conversationId, now: clock.now))
    }

    /// A `voice:*` push in a voice room (`GatewayMachine.voice`).
    func voice(_ socket: Socket, conversationId: String, request: PhoenixFrame) {
        execute(machine.voice(socket, conversationId: conversationId, request: request, ref: IDs.make(), joinedAt: Date()))
    }

    /// Sockets connected to this node (for tests and metrics).
    var socketCount: Int { machine.socketCount }

    // MARK: - Carrying out

    private func execute(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .deliver(let bytes, let targets):
                let overflowed = Socket.deliver(bytes, to: targets)
                metrics.eventsDelivered.increment(by: Int64(targets.count - overflowed.count))
                for socket in overflowed {
                    metrics.outboundQueueDrops.increment()
                    logger.notice("disconnected a socket that could not keep up", metadata: ["user_id": .string(socket.userId)])
                    execute(machine.disconnect(socket))
                }
            case .send(let frame, let socket):
                socket.send(frame)
            case .sendEncoded(let bytes, let socket):
                socket.enqueue(bytes)
            case .kicked(let socket, let topic, let joinRef):
                socket.kicked(from: topic, joinRef: joinRef)
            case .close(let socket):
                logger.debug("closing a socket", metadata: ["user_id": .string(socket.userId)])
                socket.finish()
            case .announce(let message):
                outboxInput.yield([message])
            case .wake(let deadline):
                wake(at: deadline)
            case .notice(let text, let node):
                logger.notice("\(text)", metadata: ["node": .string(node)])
            }
        }
        reportGauges()
    }

    private func reportGauges() {
        if reported.sockets != machine.socketCount {
            reported.sockets = machine.socketCount
            metrics.openSockets.set(Int64(reported.sockets))
        }
        if reported.joined != machine.joinedCount {
            reported.joined = machine.joinedCount
            metrics.joinedChannels.set(Int64(reported.joined))
        }
    }

    /// Runs the timer for `deadline`, replacing a later one.
    private func wake(at deadline: ContinuousClock.Instant) {
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        let clock = self.clock
        timer = (deadline, Task {
            do { try await clock.sleep(until: deadline) } catch { return }
            self.tick(deadline)
        })
    }
}

extension GatewayExecutor: Service {
    nonisolated func run() async throws {
        await serve()
    }
}
