/// The server kept answering 429 `rate_limited` after the retry budget was spent, or
/// asked for a wait longer than ``PoolseConfiguration/maxBackoff``.
public struct RateLimitedError: PoolseError, Hashable {
    /// How long the server asked to wait (its `Retry-After` header, whole seconds);
    /// zero when the header was absent or unreadable.
    public var retryAfter: Duration
    /// The server's answer (status 429).
    public var apiError: APIError

    /// Creates the error.
    public init(retryAfter: Duration, apiError: APIError) {
        self.retryAfter = retryAfter
        self.apiError = apiError
    }

    /// The server's code, normally `rate_limited`.
    public var code: String { apiError.code }
    /// The server's sentence.
    public var message: String { apiError.message }
}
