import PoolseWire

/// An error the API reports to its caller: an HTTP status, a stable code from
/// PROTOCOL.md §2, a message for people and optional details. Routes throw it for what is
/// wrong with the HTTP request itself; the domain's refusals (`DomainError`) are mapped to
/// one by `reporting(_:)`. Anything else becomes a 500 `internal_error` with no internals.
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

    /// 400 `bad_request`: the request itself is malformed (JSON, types, headers).
    static func badRequest(_ message: String, details: JSONValue? = nil) -> ServiceError {
        ServiceError(status: 400, code: "bad_request", message: message, details: details)
    }
    static let idempotencyInProgress = ServiceError(
        status: 409, code: "idempotency_in_progress",
        message: "a request with this Idempotency-Key is still being processed")
    static func payloadTooLarge(limit: Int) -> ServiceError {
        ServiceError(status: 413, code: "payload_too_large", message: "the request body exceeds \(limit) bytes")
    }
    static let idempotencyKeyReused = ServiceError(
        status: 422, code: "idempotency_key_reused",
        message: "this Idempotency-Key was used with a different request body")
    static func rateLimited(retryAfter: Int) -> ServiceError {
        ServiceError(status: 429, code: "rate_limited", message: "too many requests; retry later",
                     retryAfterSeconds: retryAfter)
    }

    // The HTTP layer's own refusals that the domain has names for.
    static func unauthorized(_ message: String = "missing or unsupported credentials") -> ServiceError {
        ServiceError(DomainError.unauthorized(message))
    }
    static func notFound(_ what: String) -> ServiceError { ServiceError(DomainError.notFound(what)) }
    static func forbidden(_ message: String) -> ServiceError { ServiceError(DomainError.forbidden(message)) }
    static let internalError = ServiceError(DomainError.internalError)
    static func validation(_ field: String, _ problem: String) -> ServiceError {
        ServiceError(DomainError.validation(field, problem))
    }
    static func conflict(_ message: String) -> ServiceError { ServiceError(DomainError.conflict(message)) }
}

extension ServiceError {
    /// The HTTP face of a domain refusal (PROTOCOL.md §2's status for its code).
    init(_ error: DomainError) {
        self.init(status: Self.status(of: error.code), code: error.code.name, message: error.message,
                  details: error.details)
    }

    /// What an error a route threw means to its caller; nil for an unexpected error (a 500 that
    /// shows nothing internal).
    static func reporting(_ error: any Error) -> ServiceError? {
        if let error = error as? ServiceError { return error }
        if let error = error as? DomainError { return ServiceError(error) }
        return nil
    }

    /// The status of each domain code; a code added without one answers 500 (and a test fails).
    static func status(of code: DomainError.Code) -> Int {
        statuses[code] ?? 500
    }

    static let statuses: [DomainError.Code: Int] = [
        .unauthorized: 401, .invalidToken: 401, .tokenExpired: 401, .forbidden: 403, .userBlocked: 403,
        .blocked: 403, .banned: 403, .conversationFrozen: 403, .notFound: 404, .conflict: 409, .messageDeleted: 409,
        .attachmentTooLarge: 413, .validationFailed: 422, .memberLimitReached: 422, .pinLimitReached: 422, .rejectedByHook: 422,
        .internalFailure: 500, .unavailable: 503,
    ]
}
