import Foundation

/// Wall-clock time in the units the store keeps (microseconds since the Unix epoch).
enum WallClock {
    static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
