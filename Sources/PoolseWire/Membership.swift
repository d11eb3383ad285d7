import Foundation

/// A user's membership of a conversation, with their read cursor.
public struct Membership: Codable, Hashable, Sendable, Identifiable {
    /// Membership id.
    public var id: String
    /// Owning tenant.
    public var tenantId: String
    /// The conversation.
    public var conversationId: String
    /// The member.
    public var userId: String
    /// The member's external id.
    public var externalId: String
    /// `owner`, `admin` or `member`.
    public var role: MemberRole
    /// The last message the member has read.
    public var lastReadMessageId: String?
    /// The sequence of that message (0 when nothing is read).
    public var lastReadSequence: Int64
    /// When the cursor last moved.
    public var lastReadAt: Date?
    /// Until when the member muted the conversation (no mention events or pushes), nil when not muted.
    public var mutedUntil: Date?
    /// Creation time.
    public var insertedAt: Date
    /// Last update time.
    public var updatedAt: Date

    /// Creates a membership value.
    public init(id: String, tenantId: String, conversationId: String, userId: String, externalId: String,
                role: MemberRole, lastReadMessageId: String? = nil, lastReadSequence: Int64 = 0,
                lastReadAt: Date? = nil, mutedUntil: Date? = nil, insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.conversationId = conversationId
        self.userId = userId
        self.externalId = externalId
        self.role = role
        self.lastReadMessageId = lastReadMessageId
        self.lastReadSequence = lastReadSequence
        self.lastReadAt = lastReadAt
        self.mutedUntil = mutedUntil
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", conversationId = "conversation_id", userId = "user_id",
             externalId = "external_id", role, lastReadMessageId = "last_read_message_id",
             lastReadSequence = "last_read_sequence", lastReadAt = "last_read_at", mutedUntil = "muted_until", insertedAt = "inserted_at",
             updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tenantId = try c.decodeIfPresent(String.self, forKey: .tenantId) ?? ""
        conversationId = try c.decode(String.self, forKey: .conversationId)
        userId = try c.decode(String.self, forKey: .userId)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId) ?? ""
        role = try c.decodeIfPresent(MemberRole.self, forKey: .role) ?? .member
        lastReadMessageId = try c.decodeIfPresent(String.self, forKey: .lastReadMessageId)
        lastReadSequence = try c.decodeIfPresent(Int64.self, forKey: .lastReadSequence) ?? 0
        lastReadAt = try c.decodeIfPresent(Date.self, forKey: .lastReadAt)
        mutedUntil = try c.decodeIfPresent(Date.self, forKey: .mutedUntil)
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(conversationId, forKey: .conversationId)
        try c.encode(userId, forKey: .userId)
        try c.encode(externalId, forKey: .externalId)
        try c.encode(role, forKey: .role)
        try c.encode(lastReadMessageId, forKey: .lastReadMessageId)
        try c.encode(lastReadSequence, forKey: .lastReadSequence)
        try c.encode(lastReadAt, forKey: .lastReadAt)
        try c.encode(mutedUntil, forKey: .mutedUntil)
        try c.encode(insertedAt, forKey: .insertedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
