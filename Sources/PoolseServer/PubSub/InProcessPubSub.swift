import Foundation

/// The single-node pub/sub: subscribers are streams in this process.
actor InProcessPubSub: PubSub {
    private var subscribers: [UUID: AsyncStream<RealtimeMessage>.Continuation] = [:]
    nonisolated let lanes = PublishLanes()

    @discardableResult
    func publish(_ messages: [RealtimeMessage]) -> Bool {
        for continuation in subscribers.values {
            for message in messages { continuation.yield(message) }
        }
        return true
    }

    func subscribe() -> AsyncStream<RealtimeMessage> {
        let id = UUID()
        // Unbounded: a bounded buffer dropped the oldest events silently once the gateway fell
        // that far behind (message:new lost, order broken). The backlog only grows while the
        // gateway is behind, and the same CPU that delays it also slows the sends feeding it.
        let (stream, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .unbounded)
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(id) }
        }
        return stream
    }

    private func remove(_ id: UUID) { subscribers[id] = nil }
}
