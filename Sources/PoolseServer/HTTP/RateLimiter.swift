import Foundation

/// The classes of route that are limited separately (PROTOCOL.md §4.3).
enum RateClass: String, Sendable, CaseIterable {
    case reads, writes, uploads, typing, admin
    /// Operational routes (`/healthz`, `/openapi.json`) are not limited.
    case unlimited
}

/// A token-bucket rate: `perSecond` sustained, bursts up to `burst`.
public struct Rate: Sendable, Equatable {
    /// Sustained requests per second.
    public var perSecond: Double
    /// Largest burst.
    public var burst: Double

    /// Creates a rate.
    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// Per-caller limits by class, with defaults that a chatty client never reaches and a
/// script hammering the API does.
public struct RateLimits: Sendable {
    /// Reads: default 50/s, burst 100.
    public var reads = Rate(perSecond: 50, burst: 100)
    /// Writes: default 20/s, burst 50.
    public var writes = Rate(perSecond: 20, burst: 50)
    /// Upload requests: default 5/s, burst 20.
    public var uploads = Rate(perSecond: 5, burst: 20)
    /// Typing pushes: default 1/s, burst 3 (extra pushes are dropped silently).
    public var typing = Rate(perSecond: 1, burst: 3)
    /// Tenant API-key calls: default 200/s, burst 400.
    public var admin = Rate(perSecond: 200, burst: 400)
    /// When false, nothing is limited (benchmarks).
    public var enabled = true

    /// The defaults.
    public init() {}

    /// Every rate multiplied by `factor` (for load tests and busy tenants).
    public func scaled(by factor: Double) -> RateLimits {
        var copy = self
        for keyPath in [\RateLimits.reads, \.writes, \.uploads, \.typing, \.admin] {
            copy[keyPath: keyPath].perSecond *= factor
            copy[keyPath: keyPath].burst *= factor
        }
        return copy
    }

    func rate(for rateClass: RateClass) -> Rate? {
        guard enabled else { return nil }
        switch rateClass {
        case .reads: return reads
        case .writes: return writes
        case .uploads: return uploads
        case .typing: return typing
        case .admin: return admin
        case .unlimited: return nil
        }
    }
}

/// Token buckets per (caller, class), kept in memory on each node.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updatedAt: TimeInterval
    }

    private let limits: RateLimits
    private var buckets: [String: Bucket] = [:]
    private var lastSweep: TimeInterval = 0
    private let now: @Sendable () -> TimeInterval

    init(limits: RateLimits, now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.limits = limits
        self.now = now
    }

    /// Takes one token; returns nil when allowed, or the whole seconds to wait (at least 1).
    func acquire(caller: String, rateClass: RateClass) -> Int? {
        guard let rate = limits.rate(for: rateClass) else { return nil }
        let time = now()
        sweepIfDue(time)
        let key = "\(rateClass.rawValue)|\(caller)"
        var bucket = buckets[key] ?? Bucket(tokens: rate.burst, updatedAt: time)
        bucket.tokens = min(rate.burst, bucket.tokens + (time - bucket.updatedAt) * rate.perSecond)
        bucket.updatedAt = time
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return max(1, Int(((1 - bucket.tokens) / rate.perSecond).rounded(.up)))
    }

    /// Full buckets carry no information; dropping them keeps memory bounded by active callers.
    private func sweepIfDue(_ time: TimeInterval) {
        guard time - lastSweep > 60 else { return }
        lastSweep = time
        buckets = buckets.filter { key, bucket in
            let rateClass = RateClass(rawValue: String(key.prefix(while: { $0 != "|" }))) ?? .reads
            guard let rate = limits.rate(for: rateClass) else { return false }
            return bucket.tokens + (time - bucket.updatedAt) * rate.perSecond < rate.burst
        }
    }
}
