/// No response arrived (connection refused, DNS, TLS, timeout, …) on the last attempt,
/// after the retry budget was spent.
public struct NetworkError: PoolseError {
    /// What the transport threw, e.g. a `URLError`.
    public var underlying: any Error

    /// Creates the error.
    public init(underlying: any Error) { self.underlying = underlying }

    /// The underlying error, described.
    public var message: String { String(describing: underlying) }
}
