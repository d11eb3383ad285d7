import Foundation

/// The server answered with an error status (4xx or 5xx) that has no more specific
/// type: 401 is ``AuthError`` and 429 is ``RateLimitedError``.
///
/// The fields come from the error envelope of PROTOCOL.md §2. When the body is not
/// an envelope (a proxy's HTML page, an empty 502), `code` is derived from the status
/// (see ``fallbackCode(forStatus:)``) and `message` quotes the start of the body.
public struct APIError: PoolseError, Hashable {
    /// The HTTP status code, e.g. 422.
    public var status: Int
    /// The stable machine-readable code, e.g. `validation_failed`.
    public var code: String
    /// The server's human-readable sentence.
    public var message: String
    /// Where `code` is documented, when the server said.
    public var docURL: URL?
    /// Per-field problems (for `validation_failed`) or other structured context.
    public var details: JSONValue?

    /// Creates an API error.
    public init(status: Int, code: String, message: String, docURL: URL? = nil, details: JSONValue? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.docURL = docURL
        self.details = details
    }

    /// The code used when a response carries no envelope: the protocol's code for that
    /// status (`not_found` for 404, `unavailable` for 503, …), else `http_<status>`.
    public static func fallbackCode(forStatus status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 422: "validation_failed"
        case 429: "rate_limited"
        case 500: "internal_error"
        case 503: "unavailable"
        default: "http_\(status)"
        }
    }
}
