/// The family every error the SDK throws belongs to, except `CancellationError`
/// (which the SDK passes through unwrapped) and errors thrown by your own
/// `getToken` or `userResolver` closures (which reach you unchanged).
///
/// Catch a concrete type to react to one case, or `PoolseError` for all of them:
/// ```swift
/// do { try await chat.me.show() }
/// catch let error as AuthError { … }        // re-authenticate the user
/// catch let error as RateLimitedError { … } // error.retryAfter
/// catch let error as APIError { … }         // error.status, error.code
/// catch let error as NetworkError { … }     // error.underlying
/// catch let error as any PoolseError { … }
/// ```
public protocol PoolseError: Error, CustomStringConvertible {
    /// A sentence for logs and developers.
    var message: String { get }
}

extension PoolseError {
    /// The type name and the message.
    public var description: String { "\(Self.self): \(message)" }
}
