/// A token bucket for one socket's joins: `rate.burst` at once, then `rate.perSecond`. Pure: time
/// comes in as an argument. Per socket rather than per user, so it costs no shared state; the
/// topic cap (`RealtimeConfiguration.maxTopicsPerSocket`) bounds what a socket holds.
struct SocketBudget {
    let rate: Rate
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant?

    init(rate: Rate) {
        self.rate = rate
        tokens = rate.burst
    }

    /// Takes one token at `now`; false when there is none left.
    mutating func take(at now: ContinuousClock.Instant) -> Bool {
        if let updatedAt {
            let elapsed = now - updatedAt
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(rate.burst, tokens + max(0, seconds) * rate.perSecond)
        }
        updatedAt = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
