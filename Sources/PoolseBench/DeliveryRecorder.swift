import Foundation
import NIOConcurrencyHelpers

/// Collects send→deliver latencies from many sockets. Each socket records under a lock
/// (one uncontended lock per delivery is far cheaper than an actor hop at 100k/s).
final class DeliveryRecorder: Sendable {
    private struct State {
        var latencies = LatencyRecorder()
        var delivered = 0
        var firstDelivery: UInt64 = 0
        var lastDelivery: UInt64 = 0
        var joined = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Handles one text frame; returns nothing, counts joins and deliveries.
    func handle(_ text: String) {
        if let sent = BenchStamp.sendTime(inFrame: text) {
            let now = BenchStamp.now()
            state.withLockedValue { s in
                s.latencies.record(.nanoseconds(Int64(now &- sent)))
                s.delivered += 1
                if s.firstDelivery == 0 { s.firstDelivery = now }
                s.lastDelivery = now
            }
        } else if text.contains("\"phx_reply\""), text.contains("\"status\":\"ok\""), text.contains("phx_join") == false,
                  !text.contains("\"phoenix\"") {
            state.withLockedValue { $0.joined += 1 }
        }
    }

    var delivered: Int { state.withLockedValue { $0.delivered } }
    var joined: Int { state.withLockedValue { $0.joined } }
    var latencies: LatencyRecorder { state.withLockedValue { $0.latencies } }

    /// Deliveries per second between the first and the last delivery.
    var deliveriesPerSecond: Double {
        state.withLockedValue { s in
            let span = Double(s.lastDelivery &- s.firstDelivery) / 1e9
            return span > 0 ? Double(s.delivered) / span : 0
        }
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
