/// The socket's current ``RealtimeStatus`` and who wants to hear about changes. Kept
/// outside the driver so ``PoolseRealtime/getStatus()`` answers synchronously.
final class StatusBoard: Sendable {
    typealias Listener = @Sendable (RealtimeStatus) -> Void

    private struct State {
        var current: RealtimeStatus = .idle
        var listeners: [UInt64: Listener] = [:]
        var streams: [UInt64: AsyncStream<RealtimeStatus>.Continuation] = [:]
        var lastID: UInt64 = 0
    }

    private let state = Locked(State())

    var current: RealtimeStatus { state.withLock { $0.current } }

    /// Records a new status and tells everyone (streams in order under the lock,
    /// listeners after it).
    func update(_ status: RealtimeStatus) {
        let listeners: [Listener] = state.withLock { state in
            guard state.current != status else { return [] }
            state.current = status
            for continuation in state.streams.values { continuation.yield(status) }
            return state.listeners.sorted { $0.key < $1.key }.map(\.value)
        }
        listeners.forEach { $0(status) }
    }

    func subscribe(_ listener: @escaping Listener) -> Unsubscribe {
        let id = state.withLock { state in
            state.lastID += 1
            state.listeners[state.lastID] = listener
            return state.lastID
        }
        return Unsubscribe { [weak self] in _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) } }
    }

    /// The current status, then every change.
    func stream() -> AsyncStream<RealtimeStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: RealtimeStatus.self)
        let id = state.withLock { state in
            state.lastID += 1
            state.streams[state.lastID] = continuation
            continuation.yield(state.current)
            return state.lastID
        }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.streams.removeValue(forKey: id) } }
        return stream
    }
}
