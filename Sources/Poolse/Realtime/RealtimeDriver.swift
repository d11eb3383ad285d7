import Foundation

/// What the driver needs of a channel: the handles (``ConversationChannel``,
/// ``UserChannel``) implement it. Every method is called on the driver's loop.
protocol RealtimeChannelEndpoint: AnyObject, Sendable {
    /// `conversation:<id>` or `user:<id>`.
    var topic: String { get }
    /// The join (or a rejoin, after a reconnect) succeeded.
    func joined(isRejoin: Bool)
    /// The socket went away; a rejoin follows when it is back.
    func interrupted()
    /// A server push on the topic.
    func receive(event: String, payload: JSONValue)
    /// Refused or closed by the server: no rejoin.
    func failed(_ error: RealtimeError)
    /// Left or destroyed: end the streams.
    func finish()
}

/// Carries out what ``PhoenixStateMachine`` decides: opens and closes sockets, reads
/// the token, runs timers on the injected clock, and hands channel events to the
/// channels.
///
/// Everything goes through one inbox (an `AsyncStream`) consumed by one loop, so
/// commands from any thread, frames, timer fires and channel work (catch-up results)
/// are handled strictly one at a time and in order. Nothing on the loop waits for the
/// network: opening a socket, writing and reading run in their own tasks that report
/// back to the inbox.
actor RealtimeDriver {
    typealias ConnectionID = PhoenixStateMachine.ConnectionID

    /// What the driver works with; all of it injectable for tests.
    struct Environment: Sendable {
        var transport: any WebSocketTransport
        /// `<wsURL><socketPath>/websocket`, before `token` and `vsn` are added.
        var endpoint: URL
        var tokens: TokenCache
        /// Waits for a timer; must throw when its task is cancelled.
        var sleep: @Sendable (Duration) async throws -> Void
        var machine = PhoenixStateMachine.Configuration()
        var onStatus: @Sendable (RealtimeStatus) -> Void
        var onError: (@Sendable (RealtimeError) -> Void)?
    }

    enum Input: Sendable {
        case connect(lazily: Bool)
        case disconnect
        case destroy
        case join(any RealtimeChannelEndpoint)
        case leave(topic: String)
        case push(topic: String, event: String, payload: JSONValue)
        /// A push whose reply goes to `reply` (nil when none will come).
        case request(topic: String, event: String, payload: JSONValue,
                     reply: @Sendable (PhoenixStateMachine.PushReply?) -> Void)
        case opened(ConnectionID, any WebSocketConnection)
        case openFailed(ConnectionID, any Error)
        case received(ConnectionID, String)
        case closed(ConnectionID, (any Error)?)
        case timerFired(PhoenixStateMachine.Timer, generation: UInt64)
        /// Channel work that must run in order with events (catch-up results, replays).
        case perform(@Sendable () -> Void)
    }

    private struct OpenConnection {
        var connection: any WebSocketConnection
        var outgoing: AsyncStream<String>.Continuation
        var reader: Task<Void, Never>
    }

    nonisolated let inbox: AsyncStream<Input>.Continuation
    private let environment: Environment
    private var machine: PhoenixStateMachine
    private var endpoints: [String: any RealtimeChannelEndpoint] = [:]
    private var opening: [ConnectionID: Task<Void, Never>] = [:]
    private var connections: [ConnectionID: OpenConnection] = [:]
    private var timers: [PhoenixStateMachine.Timer: (generation: UInt64, task: Task<Void, Never>)] = [:]
    private var lastTimerGeneration: UInt64 = 0
    /// Who waits for the reply of each request push.
    private var replyWaiters: [Int: @Sendable (PhoenixStateMachine.PushReply?) -> Void] = [:]
    private var lastRequest = 0
    /// The error behind the input being handled, attached to what it makes the machine report.
    private var underlying: (any Error)?

    /// Creates a driver and starts its loop.
    static func start(_ environment: Environment) -> RealtimeDriver {
        let (inputs, inbox) = AsyncStream.makeStream(of: Input.self)
        let driver = RealtimeDriver(environment: environment, inbox: inbox)
        Task { await driver.run(inputs) }
        return driver
    }

    private init(environment: Environment, inbox: AsyncStream<Input>.Continuation) {
        self.environment = environment
        self.inbox = inbox
        machine = PhoenixStateMachine(configuration: environment.machine)
    }

    /// Queues an input; handled in order with everything else.
    nonisolated func send(_ input: Input) {
        inbox.yield(input)
    }

    /// Pushes `event` and waits for the server's reply: nil when none will come (the socket
    /// dropped, the channel failed or was left, the client was destroyed, or no reply came
    /// within the join timeout).
    nonisolated func request(topic: String, event: String, payload: JSONValue) async -> PhoenixStateMachine.PushReply? {
        await withCheckedContinuation { continuation in
            let once = Locked(false)
            let reply: @Sendable (PhoenixStateMachine.PushReply?) -> Void = { reply in
                guard once.withLock({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(returning: reply)
            }
            if case .terminated = inbox.yield(.request(topic: topic, event: event, payload: payload, reply: reply)) {
                reply(nil)
            }
        }
    }

    /// Runs `work` on the loop, in order with channel events.
    nonisolated func perform(_ work: @escaping @Sendable () -> Void) {
        inbox.yield(.perform(work))
    }

    /// The socket URL for `token`: `…/websocket?token=<JWT>&vsn=2.0.0`.
    static func socketURL(endpoint: URL, token: String?) -> URL {
        guard var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false) else { return endpoint }
        var items = components.queryItems ?? []
        if let token { items.append(URLQueryItem(name: "token", value: token)) }
        items.append(URLQueryItem(name: "vsn", value: "2.0.0"))
        components.queryItems = items
        return components.url ?? endpoint
    }

    /// `<wsURL><socketPath>/websocket`.
    static func endpoint(wsURL: URL, socketPath: String) -> URL {
        var path = socketPath.hasPrefix("/") ? socketPath : "/" + socketPath
        while path.hasSuffix("/") { path.removeLast() }
        var base = wsURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path + "/websocket") ?? wsURL
    }

    // MARK: - The loop

    private func run(_ inputs: AsyncStream<Input>) async {
        for await input in inputs {
            handle(input)
            if machine.connection == .destroyed { break }
        }
        for timer in timers.values { timer.task.cancel() }
        timers = [:]
        for task in opening.values { task.cancel() }
        opening = [:]
        for waiter in replyWaiters.values { waiter(nil) }
        replyWaiters = [:]
        inbox.finish()
    }

    private func handle(_ input: Input) {
        switch input {
        case .connect(let lazily):
            execute(machine.connect(lazily: lazily))
        case .disconnect:
            execute(machine.disconnect())
        case .destroy:
            execute(machine.destroy())
            for endpoint in endpoints.values { endpoint.finish() }
            endpoints = [:]
        case .join(let endpoint):
            if let previous = endpoints[endpoint.topic], previous !== endpoint { previous.finish() }
            endpoints[endpoint.topic] = endpoint
            execute(machine.join(endpoint.topic))
        case .leave(let topic):
            endpoints.removeValue(forKey: topic)?.finish()
            execute(machine.leave(topic))
        case .push(let topic, let event, let payload):
            execute(machine.push(topic, event: event, payload: payload))
        case .request(let topic, let event, let payload, let reply):
            lastRequest += 1
            replyWaiters[lastRequest] = reply
            execute(machine.push(topic, event: event, payload: payload, request: lastRequest))
        case .opened(let id, let connection):
            opening[id] = nil
            attach(connection, as: id)
            execute(machine.transportOpened(id))
        case .openFailed(let id, let error):
            opening[id] = nil
            underlying = error
            execute(machine.transportClosed(id, handshakeRejected: error is WebSocketHandshakeError))
            underlying = nil
        case .received(let id, let text):
            guard connections[id] != nil else { return }
            let frame: PhoenixFrame
            do {
                frame = try PhoenixFrame.decode(Data(text.utf8))
            } catch {
                environment.onError?(RealtimeError(code: .invalidFrame, underlying: error))
                return
            }
            execute(machine.received(frame, on: id))
        case .closed(let id, let error):
            underlying = error
            execute(machine.transportClosed(id))
            underlying = nil
        case .timerFired(let timer, let generation):
            guard timers[timer]?.generation == generation else { return }
            timers[timer] = nil
            execute(machine.timerFired(timer))
        case .perform(let work):
            work()
        }
    }

    private func execute(_ actions: [PhoenixStateMachine.Action]) {
        for action in actions {
            switch action {
            case .openTransport(let id):
                open(id)
            case .closeTransport(let id):
                opening.removeValue(forKey: id)?.cancel()
                if let open = connections.removeValue(forKey: id) {
                    // The writer sends what is queued (leave frames on destroy), then closes.
                    open.outgoing.finish()
                }
            case .send(let id, let frame):
                guard let open = connections[id] else { continue }
                do {
                    open.outgoing.yield(String(decoding: try frame.encoded(), as: UTF8.self))
                } catch {
                    environment.onError?(RealtimeError(code: .invalidFrame, topic: frame.topic, underlying: error))
                }
            case .startTimer(let timer, let delay):
                startTimer(timer, after: delay)
            case .cancelTimer(let timer):
                timers.removeValue(forKey: timer)?.task.cancel()
            case .setStatus(let status):
                environment.onStatus(status)
            case .channelJoined(let topic, let isRejoin):
                endpoints[topic]?.joined(isRejoin: isRejoin)
            case .channelInterrupted(let topic):
                endpoints[topic]?.interrupted()
            case .channelEvent(let topic, let event, let payload):
                endpoints[topic]?.receive(event: event, payload: payload)
            case .channelFailed(let topic, let problem):
                let error = RealtimeError(code: problem.code, topic: topic, reason: problem.reason)
                endpoints[topic]?.failed(error)
                environment.onError?(error)
            case .replied(let request, let reply):
                replyWaiters.removeValue(forKey: request)?(reply)
            case .report(let problem):
                environment.onError?(RealtimeError(code: problem.code, topic: problem.topic, reason: problem.reason,
                                                   underlying: underlying))
            }
        }
    }

    // MARK: - I/O

    /// Reads the token through the cache (so a (re)connect never sends one about to
    /// expire) and opens the socket, off the loop.
    private func open(_ id: ConnectionID) {
        let environment = self.environment
        let inbox = self.inbox
        opening[id] = Task {
            var token: String?
            do {
                token = try await environment.tokens.token()
                let url = Self.socketURL(endpoint: environment.endpoint, token: token)
                let connection = try await environment.transport.connect(to: url)
                if case .terminated = inbox.yield(.opened(id, connection)) { await connection.close() }
            } catch {
                // A refused upgrade usually means the token was refused: the next attempt asks for a new one.
                if error is WebSocketHandshakeError { await environment.tokens.invalidate(ifCurrent: token) }
                inbox.yield(.openFailed(id, error))
            }
        }
    }

    private func attach(_ connection: any WebSocketConnection, as id: ConnectionID) {
        let inbox = self.inbox
        let (outgoing, writer) = AsyncStream.makeStream(of: String.self)
        // One writer per socket keeps frames in order without making the loop wait on the network.
        Task {
            for await text in outgoing {
                do {
                    try await connection.send(text)
                } catch {
                    inbox.yield(.closed(id, error))
                    break
                }
            }
            await connection.close()
        }
        let reader = Task {
            do {
                for try await text in connection.messages { inbox.yield(.received(id, text)) }
                inbox.yield(.closed(id, nil))
            } catch {
                inbox.yield(.closed(id, error))
            }
        }
        connections[id] = OpenConnection(connection: connection, outgoing: writer, reader: reader)
    }

    private func startTimer(_ timer: PhoenixStateMachine.Timer, after delay: Duration) {
        timers[timer]?.task.cancel()
        lastTimerGeneration += 1
        let generation = lastTimerGeneration
        let sleep = environment.sleep
        let inbox = self.inbox
        let task = Task {
            do { try await sleep(delay) } catch { return }
            inbox.yield(.timerFired(timer, generation: generation))
        }
        timers[timer] = (generation, task)
    }
}
