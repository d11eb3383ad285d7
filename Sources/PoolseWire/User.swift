import Foundation

/// A user of a tenant, as the admin routes (§3) and `GET /v1/me` return it.
public struct User: Codable, Hashable, Sendable, Identifiable {
    /// The poolse user id (lowercase UUID).
    public var id: String
    /// The tenant the user belongs to.
    public var tenantId: String
    /// The tenant's own id for this user.
    public var externalId: String
    /// Display name, when the tenant set one.
    public var displayName: String?
    /// Free-form data the tenant keeps on the user.
    public var customData: JSONObject?
    /// A blocked user cannot get tokens or use the API.
    public var isBlocked: Bool
    /// Creation time.
    public var insertedAt: Date
    /// Last update time.
    public var updatedAt: Date

    /// Creates a user value.
    public init(id: String, tenantId: String, externalId: String, displayName: String? = nil,
                customData: JSONObject? = nil, isBlocked: Bool = false, insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.externalId = externalId
        self.displayName = displayName
        self.customData = customData
        self.isBlocked = isBlocked
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", externalId = "external_id", displayName = "display_name",
             customData = "custom_data", isBlocked = "is_blocked", insertedAt = "inserted_at",
             updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tenantId = try c.decodeIfPresent(String.self, forKey: .tenantId) ?? ""
        externalId = try c.decode(String.self, forKey: .externalId)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
        customData = try c.decodeIfPresent(JSONObject.self, forKey: .customData)
        isBlocked = try c.decodeIfPresent(Bool.self, forKey: .isBlocked) ?? false
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(externalId, forKey: .externalId)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(customData ?? [:], forKey: .customData)
        try c.encode(isBlocked, forKey: .isBlocked)
        try c.encode(insertedAt, forKey: .insertedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The calling user, as `GET /v1/me` returns it.
public typealias Me = User
