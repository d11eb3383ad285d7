import Foundation

/// When and how long to wait before retrying a transient failure.
struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    var maxRetries: Int
    /// Base of the exponential backoff.
    var baseBackoff: Duration
    /// Ceiling of one delay.
    var maxBackoff: Duration
    /// Uniform random number in `0...1`.
    var random: @Sendable () -> Double

    /// The delay before retry number `attempt + 1` (attempt counts from 0), full jitter:
    ///
    ///     delay = random(0, min(maxBackoff, baseBackoff * 2^attempt))
    ///
    /// Full jitter spreads a crowd of clients that failed together over the whole
    /// window, so they do not come back in lockstep.
    func backoff(attempt: Int) -> Duration {
        var ceiling = baseBackoff
        var doublings = max(0, attempt)
        // Doubling stops at the cap, so a large attempt count cannot overflow.
        while doublings > 0, ceiling < maxBackoff {
            ceiling *= 2
            doublings -= 1
        }
        ceiling = min(ceiling, maxBackoff)
        let unit = min(1, max(0, random()))
        return ceiling * unit
    }

    /// The delay before the next attempt after a 429: the backoff, or the server's
    /// `Retry-After` when that is longer.
    func delayAfterRateLimit(attempt: Int, retryAfter: Duration) -> Duration {
        max(backoff(attempt: attempt), retryAfter)
    }

    /// The `Retry-After` header in whole (or fractional) seconds; nil when absent or
    /// not a number (the HTTP-date form is not used by the protocol).
    static func retryAfter(of response: TransportResponse) -> Duration? {
        guard let text = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces),
              let seconds = Double(text), seconds.isFinite, seconds >= 0
        else { return nil }
        // `Duration.seconds(1e300)` traps: a server's header must not crash the app.
        return .seconds(min(seconds, maxRetryAfterSeconds))
    }

    /// The longest `Retry-After` taken at its word: one day.
    static let maxRetryAfterSeconds: Double = 86_400
}
