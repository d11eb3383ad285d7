/// The stable error codes of PROTOCOL.md §2 as typed values, so a check reads
/// `error.code == APIError.Code.blocked` rather than comparing against a literal.
extension APIError {
    /// A code the server may answer with (the `code` of the error envelope).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badRequest = Code(rawValue: "bad_request")
        public static let forbidden = Code(rawValue: "forbidden")
        public static let notFound = Code(rawValue: "not_found")
        public static let conflict = Code(rawValue: "conflict")
        public static let messageDeleted = Code(rawValue: "message_deleted")
        public static let validationFailed = Code(rawValue: "validation_failed")
        public static let memberLimitReached = Code(rawValue: "member_limit_reached")
        public static let attachmentTooLarge = Code(rawValue: "attachment_too_large")
        /// The other member of a direct conversation blocks you.
        public static let blocked = Code(rawValue: "blocked")
        /// You are banned from the conversation (or the user you add is).
        public static let banned = Code(rawValue: "banned")
        /// The conversation is frozen: only owners and admins write.
        public static let conversationFrozen = Code(rawValue: "conversation_frozen")
        /// The tenant's before-send hook refused the message; ``APIError/message`` is its reason.
        public static let rejectedByHook = Code(rawValue: "rejected_by_hook")
        public static let userBlocked = Code(rawValue: "user_blocked")
        public static let internalError = Code(rawValue: "internal_error")
        public static let unavailable = Code(rawValue: "unavailable")
    }

    /// ``code`` as a typed value.
    public var errorCode: Code { Code(rawValue: code) }

    /// Whether the server answered with `code`.
    public func `is`(_ code: Code) -> Bool { self.code == code.rawValue }
}
