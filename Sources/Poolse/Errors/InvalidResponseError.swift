import Foundation

/// The server answered with a success status but a body the SDK could not decode
/// into the expected type (or without a value the call needs).
public struct InvalidResponseError: PoolseError {
    /// The HTTP status code of the response.
    public var status: Int
    /// What went wrong, e.g. a `DecodingError`.
    public var underlying: (any Error)?
    /// The raw body, for diagnostics.
    public var body: Data

    /// Creates the error.
    public init(status: Int, underlying: (any Error)?, body: Data) {
        self.status = status
        self.underlying = underlying
        self.body = body
    }

    /// The status and the underlying problem.
    public var message: String {
        "HTTP \(status): " + (underlying.map { String(describing: $0) } ?? "unexpected response body")
    }
}
