import Foundation

/// The single-node pub/sub: subscribers are streams in this process.
actor InProcessPubSub: PubSub {
    private var subscribers: [UUID: AsyncStream<RealtimeMessage>.Continuation] = [:]
    nonisolated let lanes = PublishLanes()

    func publish(_ messages: [RealtimeMessage]) {
        for continuation in subscribers.values {
            for message in messages { continuation.yield(message) }
        }
    }

    func subscribe() -> AsyncStream<RealtimeMessage> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .bufferingNewest(65_536))
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(id) }
        }
        return stream
    }

    private func remove(_ id: UUID) { subscribers[id] = nil }
}
