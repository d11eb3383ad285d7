import Foundation
import Histogram

/// Latencies in microseconds in an HDR histogram (3 significant digits, up to 10 minutes).
struct LatencyRecorder: Sendable {
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        _ = histogram.record(UInt64(max(0, min(micros, 600_000_000))))
    }

    mutating func merge(_ other: LatencyRecorder) { histogram.add(other.histogram) }

    var count: UInt64 { histogram.totalCount }

    /// `p50 1.23 ms  p90 …  p99 …  max …`
    var summary: String {
        guard count > 0 else { return "no samples" }
        func ms(_ micros: UInt64) -> String { String(format: "%.2f ms", Double(micros) / 1000) }
        return "p50 \(ms(histogram.valueAtPercentile(50)))  p90 \(ms(histogram.valueAtPercentile(90)))  "
            + "p99 \(ms(histogram.valueAtPercentile(99)))  max \(ms(histogram.max))"
    }
}
