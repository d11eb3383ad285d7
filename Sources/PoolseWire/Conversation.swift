import Foundation

/// A conversation (PROTOCOL.md §7).
public struct Conversation: Codable, Hashable, Sendable, Identifiable {
    /// Conversation id.
    public var id: String
    /// Owning tenant.
    public var tenantId: String
    /// `direct` or `group`.
    public var type: ConversationType
    /// Display name (groups).
    public var name: String?
    /// Avatar URL.
    public var avatarURL: String?
    /// The user who created it.
    public var createdByUserId: String?
    /// Maximum number of members, when limited.
    public var memberLimit: Int?
    /// Free-form data.
    public var customData: JSONObject?
    /// Free-form settings.
    public var settings: JSONObject?
    /// Time of the latest message, nil before the first.
    public var lastMessageAt: Date?
    /// First 80 characters of the latest message, or an attachment label.
    public var lastMessagePreview: String?
    /// The sequence of the latest message (0 before the first).
    public var lastSequence: Int64
    /// Whether only owners and admins (and the tenant's API key) may send, react and edit.
    public var frozen: Bool
    /// Messages after the caller's read cursor (present in the caller's views).
    public var unreadCount: Int?
    /// External ids of every member (present in list, create and realtime payloads).
    public var memberExternalIds: [String]?
    /// Creation time.
    public var insertedAt: Date
    /// Last update time.
    public var updatedAt: Date

    /// Creates a conversation value.
    public init(id: String, tenantId: String, type: ConversationType, name: String? = nil, avatarURL: String? = nil,
                createdByUserId: String? = nil, memberLimit: Int? = nil, customData: JSONObject? = nil,
                settings: JSONObject? = nil, lastMessageAt: Date? = nil, lastMessagePreview: String? = nil,
                lastSequence: Int64 = 0, frozen: Bool = false, unreadCount: Int? = nil, memberExternalIds: [String]? = nil,
                insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.type = type
        self.name = name
        self.avatarURL = avatarURL
        self.createdByUserId = createdByUserId
        self.memberLimit = memberLimit
        self.customData = customData
        self.settings = settings
        self.lastMessageAt = lastMessageAt
        self.lastMessagePreview = lastMessagePreview
        self.lastSequence = lastSequence
        self.frozen = frozen
        self.unreadCount = unreadCount
        self.memberExternalIds = memberExternalIds
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", type, name, avatarURL = "avatar_url",
             createdByUserId = "created_by_user_id", memberLimit = "member_limit", customData = "custom_data",
             settings, lastMessageAt = "last_message_at", lastMessagePreview = "last_message_preview",
             lastSequence = "last_sequence", frozen, unreadCount = "unread_count",
             memberExternalIds = "member_external_ids", insertedAt = "inserted_at", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tenantId = try c.decodeIfPresent(String.self, forKey: .tenantId) ?? ""
        type = try c.decodeIfPresent(ConversationType.self, forKey: .type) ?? .group
        name = try c.decodeIfPresent(String.self, forKey: .name)
        avatarURL = try c.decodeIfPresent(String.self, forKey: .avatarURL)
        createdByUserId = try c.decodeIfPresent(String.self, forKey: .createdByUserId)
        memberLimit = try c.decodeIfPresent(Int.self, forKey: .memberLimit)
        customData = try c.decodeIfPresent(JSONObject.self, forKey: .customData)
        settings = try c.decodeIfPresent(JSONObject.self, forKey: .settings)
        lastMessageAt = try c.decodeIfPresent(Date.self, forKey: .lastMessageAt)
        lastMessagePreview = try c.decodeIfPresent(String.self, forKey: .lastMessagePreview)
        lastSequence = try c.decodeIfPresent(Int64.self, forKey: .lastSequence) ?? 0
        frozen = try c.decodeIfPresent(Bool.self, forKey: .frozen) ?? false
        unreadCount = try c.decodeIfPresent(Int.self, forKey: .unreadCount)
        memberExternalIds = try c.decodeIfPresent([String].self, forKey: .memberExternalIds)
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(type, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(avatarURL, forKey: .avatarURL)
        try c.encode(createdByUserId, forKey: .createdByUserId)
        try c.encode(memberLimit, forKey: .memberLimit)
        try c.encode(customData ?? [:], forKey: .customData)
        try c.encode(settings ?? [:], forKey: .settings)
        try c.encode(lastMessageAt, forKey: .lastMessageAt)
        try c.encode(lastMessagePreview, forKey: .lastMessagePreview)
        try c.encode(lastSequence, forKey: .lastSequence)
        try c.encode(frozen, forKey: .frozen)
        try c.encodeIfPresent(unreadCount, forKey: .unreadCount)
        try c.encodeIfPresent(memberExternalIds, forKey: .memberExternalIds)
        try c.encode(insertedAt, forKey: .insertedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
