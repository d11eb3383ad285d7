/// The server refused the credentials (401) even after the SDK dropped its cached
/// token and retried once with a fresh one from `getToken`: sign the user in again.
public struct AuthError: PoolseError, Hashable {
    /// The server's answer to the second attempt (status 401, code such as `token_expired`).
    public var apiError: APIError

    /// Creates the error from the server's 401 answer.
    public init(apiError: APIError) { self.apiError = apiError }

    /// The server's code, e.g. `token_expired` or `invalid_token`.
    public var code: String { apiError.code }
    /// The server's sentence.
    public var message: String { apiError.message }
}
