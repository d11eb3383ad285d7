import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Collects send→deliver latencies and join replies from many sockets. Each event loop records
/// into its own shard (`makeShard()`), so the lock taken per delivery is only ever contended by
/// the scenario's 20 ms progress polls: one uncontended lock per frame is far cheaper than an
/// actor hop at 100k frames/s, and shards keep it uncontended with several client threads.
/// Readers merge the shards.
final class DeliveryRecorder: Sendable {
    /// One event loop's share of the counts.
    final class Shard: Sendable {
        fileprivate let state = NIOLockedValueBox(State())

        /// Handles one complete text frame: counts a stamped `message:new` as a delivery and an
        /// ok join reply as a join; ignores everything else.
        func record(frame: ByteBuffer) {
            switch BenchFrame.classify(frame) {
            case .delivery(let sent):
                let now = BenchStamp.now()
                state.withLockedValue { s in
                    s.latencies.record(.nanoseconds(Int64(bitPattern: now &- sent)))
                    s.delivered += 1
                    if s.firstDelivery == 0 { s.firstDelivery = now }
                    s.lastDelivery = now
                }
            case .joinReply:
                state.withLockedValue { $0.joined += 1 }
            case .other:
                break
            }
        }
    }

    fileprivate struct State {
        var latencies = LatencyRecorder()
        var delivered = 0
        var firstDelivery: UInt64 = 0
        var lastDelivery: UInt64 = 0
        var joined = 0
    }

    private let shards = NIOLockedValueBox<[Shard]>([])

    /// A new shard whose counts this recorder reports; give each event loop its own.
    func makeShard() -> Shard {
        let shard = Shard()
        shards.withLockedValue { $0.append(shard) }
        return shard
    }

    var delivered: Int { sum { $0.delivered } }
    var joined: Int { sum { $0.joined } }
    var latencies: LatencyRecorder {
        allShards.reduce(into: LatencyRecorder()) { all, shard in shard.state.withLockedValue { all.merge($0.latencies) } }
    }

    /// Deliveries per second between the first and the last delivery over all shards.
    var deliveriesPerSecond: Double {
        let spans = allShards.map { shard in
            shard.state.withLockedValue { (first: $0.firstDelivery, last: $0.lastDelivery, count: $0.delivered) }
        }.filter { $0.count > 0 }
        guard let first = spans.map(\.first).min(), let last = spans.map(\.last).max() else { return 0 }
        let seconds = Double(last &- first) / 1e9
        return seconds > 0 ? Double(spans.reduce(0) { $0 + $1.count }) / seconds : 0
    }

    private var allShards: [Shard] { shards.withLockedValue { $0 } }

    /// Reads one counter of every shard under its lock. Only counters are copied out: holding a
    /// copy of a shard's histogram would make its next record copy the whole histogram.
    private func sum(_ counter: (State) -> Int) -> Int {
        allShards.reduce(0) { total, shard in total + shard.state.withLockedValue { counter($0) } }
    }

    /// Waits until `count` deliveries arrived or `timeout` passed; returns whether all arrived.
    func waitForDeliveries(_ count: Int, timeout: Duration, progress: Progress?) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var reported = 0
        while ContinuousClock.now < deadline {
            let now = delivered
            if let progress, now > reported {
                await progress.add(now - reported)
                reported = now
            }
            if now >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func waitForJoins(_ count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if joined >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
