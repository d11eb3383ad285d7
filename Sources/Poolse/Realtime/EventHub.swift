/// The listeners and streams of one kind of event: `onX(…)` callbacks and `xStream()`
/// `AsyncStream`s side by side, fed by ``emit(_:)``.
///
/// Channels emit only from the realtime driver's loop, one event at a time, so every
/// listener sees events in order. Listeners run on that loop: keep them short and hop
/// to your own actor for real work.
final class EventHub<Value: Sendable>: Sendable {
    typealias Listener = @Sendable (Value) -> Void

    private enum Subscriber {
        case listener(Listener)
        case stream(AsyncStream<Value>.Continuation)
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var lastID: UInt64 = 0
        var isFinished = false
        /// Subscribers waiting for a replay that have not had an event yet.
        var awaitingReplay: Set<UInt64> = []
    }

    private let state = Locked(State())

    /// Calls `listener` with every event from now on.
    func subscribe(_ listener: @escaping Listener) -> Unsubscribe {
        guard let id = add(.listener(listener)) else { return Unsubscribe {} }
        return Unsubscribe { [weak self] in self?.remove(id) }
    }

    /// The events from now on as a stream (unbounded buffer). It ends when the channel
    /// is left or the client destroyed; cancelling the consuming task unsubscribes it.
    func stream() -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self)
        guard let id = add(.stream(continuation)) else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Delivers `value` to every subscriber.
    func emit(_ value: Value) {
        let subscribers = state.withLock { state in
            state.awaitingReplay = []
            return state.subscribers.sorted { $0.key < $1.key }.map(\.value)
        }
        for subscriber in subscribers {
            switch subscriber {
            case .listener(let listener): listener(value)
            case .stream(let continuation): continuation.yield(value)
            }
        }
    }


    /// Ends every stream and drops every listener; later subscriptions get nothing.
    func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            defer { state.subscribers = [:] }
            return state.subscribers.values
        }
        for case .stream(let continuation) in subscribers { continuation.finish() }
    }

    /// Adds a subscriber; nil once finished.
    private func add(_ subscriber: Subscriber, awaitingReplay: Bool = false) -> UInt64? {
        state.withLock { state in
            guard !state.isFinished else { return nil }
            state.lastID += 1
            state.subscribers[state.lastID] = subscriber
            if awaitingReplay { state.awaitingReplay.insert(state.lastID) }
            return state.lastID
        }
    }

    /// Hands `value` to subscriber `id` unless an emit reached it first (it has newer news).
    private func replay(_ value: Value, to id: UInt64) {
        let subscriber = state.withLock { state in
            state.awaitingReplay.remove(id) == nil ? nil : state.subscribers[id]
        }
        switch subscriber {
        case .listener(let listener): listener(value)
        case .stream(let continuation): continuation.yield(value)
        case nil: break
        }
    }

    private func remove(_ id: UInt64) {
        state.withLock { state in
            state.subscribers[id] = nil
            state.awaitingReplay.remove(id)
        }
    }
}

extension EventHub {
    /// Like ``subscribe(_:)``, and also hands the new subscriber the current value
    /// (read by `current` on the driver loop, in order with emitted events) when there
    /// is one: how late subscribers get the presence snapshot.
    func subscribeReplaying(_ listener: @escaping Listener, on driver: RealtimeDriver,
                            current: @escaping @Sendable () -> Value?) -> Unsubscribe {
        guard let id = add(.listener(listener), awaitingReplay: true) else { return Unsubscribe {} }
        replay(to: id, on: driver, current: current)
        return Unsubscribe { [weak self] in self?.remove(id) }
    }

    /// Like ``stream()``, starting with the current value when there is one.
    func streamReplaying(on driver: RealtimeDriver, current: @escaping @Sendable () -> Value?) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self)
        guard let id = add(.stream(continuation), awaitingReplay: true) else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        replay(to: id, on: driver, current: current)
        return stream
    }

    private func replay(to id: UInt64, on driver: RealtimeDriver, current: @escaping @Sendable () -> Value?) {
        // On the loop, so the replay cannot overtake or trail an emit racing with it.
        driver.perform { [weak self] in
            if let value = current() { self?.replay(value, to: id) }
        }
    }
}
