/// `POST /v1/conversations`.
public struct ConversationCreateRequest: Codable, Hashable, Sendable {
    /// `direct` or `group`.
    public var type: ConversationType
    /// Display name.
    public var name: String?
    /// Avatar URL.
    public var avatarURL: String?
    /// Maximum number of members.
    public var memberLimit: Int?
    /// External ids of the other members; unknown ones are provisioned.
    public var memberExternalIds: [String]?
    /// Free-form data.
    public var customData: JSONObject?
    /// Free-form settings.
    public var settings: JSONObject?

    /// Creates the request.
    public init(type: ConversationType, name: String? = nil, avatarURL: String? = nil, memberLimit: Int? = nil,
                memberExternalIds: [String]? = nil, customData: JSONObject? = nil, settings: JSONObject? = nil) {
        self.type = type
        self.name = name
        self.avatarURL = avatarURL
        self.memberLimit = memberLimit
        self.memberExternalIds = memberExternalIds
        self.customData = customData
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey {
        case type, name, avatarURL = "avatar_url", memberLimit = "member_limit",
             memberExternalIds = "member_external_ids", customData = "custom_data", settings
    }
}

/// `PATCH /v1/conversations/:id`. Absent fields stay unchanged; `null` clears.
public struct ConversationUpdateRequest: Codable, Hashable, Sendable {
    /// New name, or `.some(nil)` to clear.
    public var name: String??
    /// New avatar URL, or `.some(nil)` to clear.
    public var avatarURL: String??
    /// New member limit, or `.some(nil)` to remove the limit.
    public var memberLimit: Int??
    /// New custom data, or `.some(nil)` to clear.
    public var customData: JSONObject??
    /// New settings, or `.some(nil)` to clear.
    public var settings: JSONObject??
    /// Freeze (`true`) or thaw (`false`) the conversation (owners and admins only).
    public var frozen: Bool?

    /// Creates the request.
    public init(name: String?? = nil, avatarURL: String?? = nil, memberLimit: Int?? = nil,
                customData: JSONObject?? = nil, settings: JSONObject?? = nil, frozen: Bool? = nil) {
        self.name = name
        self.avatarURL = avatarURL
        self.memberLimit = memberLimit
        self.customData = customData
        self.settings = settings
        self.frozen = frozen
    }

    enum CodingKeys: String, CodingKey {
        case name, avatarURL = "avatar_url", memberLimit = "member_limit", customData = "custom_data", settings, frozen
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodePatch(String.self, forKey: .name)
        avatarURL = try c.decodePatch(String.self, forKey: .avatarURL)
        memberLimit = try c.decodePatch(Int.self, forKey: .memberLimit)
        customData = try c.decodePatch(JSONObject.self, forKey: .customData)
        settings = try c.decodePatch(JSONObject.self, forKey: .settings)
        frozen = try c.decodeUnlessNull(Bool.self, forKey: .frozen)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodePatch(name, forKey: .name)
        try c.encodePatch(avatarURL, forKey: .avatarURL)
        try c.encodePatch(memberLimit, forKey: .memberLimit)
        try c.encodePatch(customData, forKey: .customData)
        try c.encodePatch(settings, forKey: .settings)
        try c.encodeIfPresent(frozen, forKey: .frozen)
    }
}

/// `POST /v1/conversations/:id/members`.
public struct AddMembersRequest: Codable, Hashable, Sendable {
    /// External ids to add; unknown ones are provisioned.
    public var externalIds: [String]
    /// Role for the new members (default `member`).
    public var role: MemberRole?

    /// Creates the request.
    public init(externalIds: [String], role: MemberRole? = nil) {
        self.externalIds = externalIds
        self.role = role
    }

    enum CodingKeys: String, CodingKey { case externalIds = "external_ids", role }
}

/// `POST /v1/conversations/:id/read`.
public struct MarkReadRequest: Codable, Hashable, Sendable {
    /// The newest message the caller has read.
    public var messageId: String

    /// Creates the request.
    public init(messageId: String) { self.messageId = messageId }

    enum CodingKeys: String, CodingKey { case messageId = "message_id" }
}
