/// When a failed job runs again: exponential backoff with jitter.
///
///     ceiling(n) = min(maxDelay, baseDelay × 2^(n−1))      n = attempts made so far (1, 2, …)
///     delay(n)   = ceiling(n) / 2 + random(0 … ceiling(n) / 2)
///
/// Half the ceiling is kept so retries never bunch at zero; the random half spreads the
/// retries of many jobs that failed together (a receiver that was down). A provider's
/// `Retry-After` wins when it is longer.
struct RetryBackoff: Sendable {
    var baseDelay: Duration
    var maxDelay: Duration

    /// The delay in microseconds after `attempts` attempts; `random` gives a value in 0...1.
    func delayMicros(afterAttempts attempts: Int, retryAfter: Double? = nil,
                     random: () -> Double = { Double.random(in: 0...1) }) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 40)
        let ceiling = min(Double(maxDelay.micros), Double(baseDelay.micros) * Double(sign: .plus, exponent: exponent, significand: 1))
        let delay = ceiling / 2 + random() * ceiling / 2
        let hinted = (retryAfter ?? 0) * 1_000_000
        return Int64(max(delay, hinted))
    }
}
