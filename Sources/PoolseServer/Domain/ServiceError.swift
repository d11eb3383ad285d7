import PoolseWire

/// An error the API reports to its caller: an HTTP status, a stable code from
/// PROTOCOL.md §2, a message for people and optional details. Everything a route
/// throws that is not a `ServiceError` becomes a 500 `internal_error` with no internals.
struct ServiceError: Error, Sendable, Equatable {
    let status: Int
    let code: String
    let message: String
    var details: JSONValue?
    /// Seconds the caller should wait (429 only); sent as `Retry-After`.
    var retryAfterSeconds: Int?

    init(status: Int, code: String, message: String, details: JSONValue? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    static func badRequest(_ message: String, details: JSONValue? = nil) -> ServiceError {
        ServiceError(status: 400, code: "bad_request", message: message, details: details)
    }
    static func unauthorized(_ message: String = "missing or unsupported credentials") -> ServiceError {
        ServiceError(status: 401, code: "unauthorized", message: message)
    }
    static func invalidToken(_ message: String = "the token is not valid") -> ServiceError {
        ServiceError(status: 401, code: "invalid_token", message: message)
    }
    static let tokenExpired = ServiceError(status: 401, code: "token_expired", message: "the token has expired")
    static func forbidden(_ message: String) -> ServiceError {
        ServiceError(status: 403, code: "forbidden", message: message)
    }
    static let userBlocked = ServiceError(status: 403, code: "user_blocked", message: "the user is blocked")
    static func notFound(_ what: String) -> ServiceError {
        ServiceError(status: 404, code: "not_found", message: "\(what) not found")
    }
    static func conflict(_ message: String) -> ServiceError {
        ServiceError(status: 409, code: "conflict", message: message)
    }
    static let messageDeleted = ServiceError(status: 409, code: "message_deleted", message: "the message was deleted")
    static let idempotencyInProgress = ServiceError(
        status: 409, code: "idempotency_in_progress",
        message: "a request with this Idempotency-Key is still being processed")
    static func payloadTooLarge(limit: Int) -> ServiceError {
        ServiceError(status: 413, code: "payload_too_large", message: "the request body exceeds \(limit) bytes")
    }
    static let idempotencyKeyReused = ServiceError(
        status: 422, code: "idempotency_key_reused",
        message: "this Idempotency-Key was used with a different request body")
    static func memberLimitReached(_ limit: Int) -> ServiceError {
        ServiceError(status: 422, code: "member_limit_reached",
                     message: "the conversation allows at most \(limit) members")
    }
    static func rateLimited(retryAfter: Int) -> ServiceError {
        ServiceError(status: 429, code: "rate_limited", message: "too many requests; retry later",
                     retryAfterSeconds: retryAfter)
    }
    static let internalError = ServiceError(status: 500, code: "internal_error", message: "something went wrong")

    /// `validation_failed` with one message per field, as in `{"body": ["can't be blank"]}`.
    static func validation(_ field: String, _ problem: String) -> ServiceError {
        validation([field: [problem]])
    }

    /// `validation_failed` with several fields.
    static func validation(_ problems: [String: [String]]) -> ServiceError {
        let summary = problems.keys.sorted().map { "\($0): \(problems[$0, default: []].joined(separator: ", "))" }
            .joined(separator: "; ")
        let details = JSONValue.object(problems.mapValues { .array($0.map(JSONValue.string)) })
        return ServiceError(status: 422, code: "validation_failed", message: summary, details: details)
    }
}
