import PoolseWire

/// Why the domain refused an operation: a stable code (the protocol's names, PROTOCOL.md §2), a
/// message for people and optional per-field details. It says nothing of HTTP: `HTTP/` maps a
/// code to a status (`DomainError.init(_:)`), `Realtime/` to a Phoenix reply.
///
/// The code is a struct of static members rather than a public enum, so a new code does not
/// break a caller's `switch` (the shape of hummingbird's `PersistError`).
struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The protocol's name for it, e.g. `not_found`.
        let name: String
        private init(_ name: String) { self.name = name }
        var description: String { name }

        static let unauthorized = Code("unauthorized")
        static let invalidToken = Code("invalid_token")
        static let tokenExpired = Code("token_expired")
        static let forbidden = Code("forbidden")
        static let userBlocked = Code("user_blocked")
        static let notFound = Code("not_found")
        static let conflict = Code("conflict")
        static let messageDeleted = Code("message_deleted")
        static let validationFailed = Code("validation_failed")
        static let memberLimitReached = Code("member_limit_reached")
        static let pinLimitReached = Code("pin_limit_reached")
        static let attachmentTooLarge = Code("attachment_too_large")
        static let blocked = Code("blocked")
        static let banned = Code("banned")
        static let conversationFrozen = Code("conversation_frozen")
        static let unavailable = Code("unavailable")
        static let rejectedByHook = Code("rejected_by_hook")
        static let internalFailure = Code("internal_error")

        /// Every code, so the layers that map codes can be checked for completeness.
        static let all: [Code] = [
            .unauthorized, .invalidToken, .tokenExpired, .forbidden, .userBlocked, .notFound, .conflict, .messageDeleted,
            .validationFailed, .memberLimitReached, .pinLimitReached, .attachmentTooLarge, .blocked, .banned,
            .conversationFrozen, .unavailable, .rejectedByHook, .internalFailure,
        ]
    }

    let code: Code
    let message: String
    var details: JSONValue?

    var description: String { "\(code): \(message)" }

    static func unauthorized(_ message: String = "missing or unsupported credentials") -> DomainError {
        DomainError(code: .unauthorized, message: message)
    }
    static func invalidToken(_ message: String = "the token is not valid") -> DomainError {
        DomainError(code: .invalidToken, message: message)
    }
    static let tokenExpired = DomainError(code: .tokenExpired, message: "the token has expired")
    static func forbidden(_ message: String) -> DomainError { DomainError(code: .forbidden, message: message) }
    static let userBlocked = DomainError(code: .userBlocked, message: "the user is blocked")
    static func notFound(_ what: String) -> DomainError { DomainError(code: .notFound, message: "\(what) not found") }
    static func conflict(_ message: String) -> DomainError { DomainError(code: .conflict, message: message) }
    static let messageDeleted = DomainError(code: .messageDeleted, message: "the message was deleted")
    static func memberLimitReached(_ limit: Int) -> DomainError {
        DomainError(code: .memberLimitReached, message: "the conversation allows at most \(limit) members")
    }
    static func pinLimitReached(_ limit: Int) -> DomainError {
        DomainError(code: .pinLimitReached, message: "a conversation can have at most \(limit) pinned messages")
    }
    static func attachmentTooLarge(limit: Int64) -> DomainError {
        DomainError(code: .attachmentTooLarge, message: "attachments are limited to \(limit) bytes")
    }
    /// The other member of a direct conversation blocks the caller.
    static let blocked = DomainError(code: .blocked, message: "this user does not accept your messages")
    /// The user is banned from the conversation.
    static let banned = DomainError(code: .banned, message: "the user is banned from this conversation")
    /// Only owners and admins may write in a frozen conversation.
    static let conversationFrozen = DomainError(code: .conversationFrozen,
                                                message: "the conversation is frozen: only owners and admins can write")
    /// A service the operation needs (the blob store) does not answer.
    static func unavailable(_ message: String) -> DomainError { DomainError(code: .unavailable, message: message) }
    /// The tenant's before-send hook refused the message; its reason, when it gave one, is the message.
    static func rejectedByHook(_ reason: String?) -> DomainError {
        let reason = reason.map { String($0.prefix(500)) }.flatMap { $0.isEmpty ? nil : $0 }
        return DomainError(code: .rejectedByHook, message: reason ?? "the message was rejected",
                           details: reason.map { ["reason": .string($0)] })
    }
    /// A broken invariant (a row that must exist does not); nothing internal reaches the caller.
    static let internalError = DomainError(code: .internalFailure, message: "something went wrong")

    /// `validation_failed` with one problem for one field, as in `{"body": ["can't be blank"]}`.
    static func validation(_ field: String, _ problem: String) -> DomainError {
        validation([field: [problem]])
    }

    /// `validation_failed` with several fields.
    static func validation(_ problems: [String: [String]]) -> DomainError {
        let summary = problems.keys.sorted().map { "\($0): \(problems[$0, default: []].joined(separator: ", "))" }
            .joined(separator: "; ")
        let details = JSONValue.object(problems.mapValues { .array($0.map(JSONValue.string)) })
        return DomainError(code: .validationFailed, message: summary, details: details)
    }
}
