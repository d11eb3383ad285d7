import Foundation

/// One user the caller blocks (`GET/POST /v1/me/blocks`).
public struct Block: Codable, Hashable, Sendable {
    /// The blocked user.
    public var userId: String
    /// When the block was made.
    public var blockedAt: Date

    /// Creates the value.
    public init(userId: String, blockedAt: Date) {
        self.userId = userId
        self.blockedAt = blockedAt
    }

    enum CodingKeys: String, CodingKey { case userId = "user_id", blockedAt = "blocked_at" }
}

/// `POST /v1/me/blocks`.
public struct BlockRequest: Codable, Hashable, Sendable {
    /// The user to block.
    public var userId: String

    /// Creates the request.
    public init(userId: String) { self.userId = userId }

    enum CodingKeys: String, CodingKey { case userId = "user_id" }
}

/// `PUT /v1/conversations/:id/mute`.
public struct MuteRequest: Codable, Hashable, Sendable {
    /// Until when; nil mutes until unmuted.
    public var until: Date?

    /// Creates the request.
    public init(until: Date? = nil) { self.until = until }
}

/// Why content is reported.
public struct ReportReason: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let spam: ReportReason = "spam"
    public static let harassment: ReportReason = "harassment"
    public static let hate: ReportReason = "hate"
    public static let sexual: ReportReason = "sexual"
    public static let violence: ReportReason = "violence"
    public static let other: ReportReason = "other"
    /// The reasons the server accepts.
    public static let known: Set<ReportReason> = [.spam, .harassment, .hate, .sexual, .violence, .other]
}

/// Where a report is in its review.
public struct ReportStatus: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let open: ReportStatus = "open"
    public static let resolved: ReportStatus = "resolved"
    public static let dismissed: ReportStatus = "dismissed"
}

/// `POST /v1/reports`: a message or a user, with a reason.
public struct ReportCreateRequest: Codable, Hashable, Sendable {
    /// The reported message (one of `messageId` and `userId`).
    public var messageId: String?
    /// The reported user.
    public var userId: String?
    /// Why.
    public var reason: ReportReason
    /// Free text for the moderator (at most 2,000 characters).
    public var note: String?

    /// Creates the request.
    public init(messageId: String? = nil, userId: String? = nil, reason: ReportReason, note: String? = nil) {
        self.messageId = messageId
        self.userId = userId
        self.reason = reason
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case messageId = "message_id", userId = "user_id", reason, note }
}

/// `PATCH /v1/reports/:id` (API key).
public struct ReportUpdateRequest: Codable, Hashable, Sendable {
    /// `resolved` or `dismissed`.
    public var status: ReportStatus
    /// What the moderator did.
    public var resolutionNote: String?

    /// Creates the request.
    public init(status: ReportStatus, resolutionNote: String? = nil) {
        self.status = status
        self.resolutionNote = resolutionNote
    }

    enum CodingKeys: String, CodingKey { case status, resolutionNote = "resolution_note" }
}

/// A report as the reporter and the operator see it.
public struct Report: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var tenantId: String
    /// Who reported.
    public var reporterId: String
    /// The reported message, if a message was reported.
    public var messageId: String?
    /// The reported user (the message's sender for a message report).
    public var userId: String?
    /// The reported message's conversation.
    public var conversationId: String?
    public var reason: ReportReason
    public var note: String?
    /// The message's body when it was reported (kept when the message is deleted later).
    public var messageBody: String?
    public var status: ReportStatus
    public var resolutionNote: String?
    public var resolvedAt: Date?
    public var insertedAt: Date
    public var updatedAt: Date

    /// Creates the value.
    public init(id: String, tenantId: String, reporterId: String, messageId: String?, userId: String?,
                conversationId: String?, reason: ReportReason, note: String?, messageBody: String?, status: ReportStatus,
                resolutionNote: String?, resolvedAt: Date?, insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.reporterId = reporterId
        self.messageId = messageId
        self.userId = userId
        self.conversationId = conversationId
        self.reason = reason
        self.note = note
        self.messageBody = messageBody
        self.status = status
        self.resolutionNote = resolutionNote
        self.resolvedAt = resolvedAt
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", reporterId = "reporter_id", messageId = "message_id", userId = "user_id",
             conversationId = "conversation_id", reason, note, messageBody = "message_body", status,
             resolutionNote = "resolution_note", resolvedAt = "resolved_at", insertedAt = "inserted_at",
             updatedAt = "updated_at"
    }
}

/// `POST /v1/conversations/:id/bans`.
public struct BanRequest: Codable, Hashable, Sendable {
    /// The user to ban.
    public var userId: String
    /// Until when; nil bans until unbanned.
    public var until: Date?
    /// Why (at most 500 characters).
    public var reason: String?

    /// Creates the request.
    public init(userId: String, until: Date? = nil, reason: String? = nil) {
        self.userId = userId
        self.until = until
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case userId = "user_id", until, reason }
}

/// A ban from one conversation.
public struct Ban: Codable, Hashable, Sendable {
    public var conversationId: String
    public var userId: String
    /// The member who banned, nil when the tenant's API key did.
    public var bannedBy: String?
    public var reason: String?
    /// Until when, nil for a ban until lifted.
    public var until: Date?
    public var insertedAt: Date

    /// Creates the value.
    public init(conversationId: String, userId: String, bannedBy: String?, reason: String?, until: Date?, insertedAt: Date) {
        self.conversationId = conversationId
        self.userId = userId
        self.bannedBy = bannedBy
        self.reason = reason
        self.until = until
        self.insertedAt = insertedAt
    }

    enum CodingKeys: String, CodingKey {
        case conversationId = "conversation_id", userId = "user_id", bannedBy = "banned_by", reason, until,
             insertedAt = "inserted_at"
    }
}

/// `DELETE /v1/users/:id/messages` answers 202 with this: the deletions run in the background.
public struct BulkDeletionAccepted: Codable, Hashable, Sendable {
    /// The user whose messages are being deleted.
    public var userId: String
    /// How many messages were live when the job started.
    public var messageCount: Int

    public init(userId: String, messageCount: Int) {
        self.userId = userId
        self.messageCount = messageCount
    }

    enum CodingKeys: String, CodingKey { case userId = "user_id", messageCount = "message_count" }
}
