import Foundation

/// Send timestamps ride in message bodies as `t=<monotonic ns>;n=<sequence>`; the receiver in
/// the same process reads the same clock, so latency needs no clock sync.
enum BenchStamp {
    /// The monotonic clock both ends read, in nanoseconds.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A message body stamped with the send time (`BenchFrame` reads it back from the bytes).
    static func body(sequence: Int) -> String { "t=\(now());n=\(sequence)" }
}
