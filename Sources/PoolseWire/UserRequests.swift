import Foundation

/// `POST /v1/users`: create a user, or return the one with this external id.
public struct UserCreateRequest: Codable, Hashable, Sendable {
    /// The tenant's own id for the user.
    public var externalId: String
    /// Display name.
    public var displayName: String?
    /// Free-form data.
    public var customData: JSONObject?

    /// Creates the request.
    public init(externalId: String, displayName: String? = nil, customData: JSONObject? = nil) {
        self.externalId = externalId
        self.displayName = displayName
        self.customData = customData
    }

    enum CodingKeys: String, CodingKey {
        case externalId = "external_id", displayName = "display_name", customData = "custom_data"
    }
}

/// `PATCH /v1/users/:user_id`. Absent fields stay unchanged; `null` clears.
public struct UserUpdateRequest: Codable, Hashable, Sendable {
    /// New display name, or `.some(nil)` to clear.
    public var displayName: String??
    /// New custom data, or `.some(nil)` to clear.
    public var customData: JSONObject??
    /// Block or unblock the user.
    public var isBlocked: Bool?

    /// Creates the request.
    public init(displayName: String?? = nil, customData: JSONObject?? = nil, isBlocked: Bool? = nil) {
        self.displayName = displayName
        self.customData = customData
        self.isBlocked = isBlocked
    }

    enum CodingKeys: String, CodingKey {
        case displayName = "display_name", customData = "custom_data", isBlocked = "is_blocked"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try c.decodePatch(String.self, forKey: .displayName)
        customData = try c.decodePatch(JSONObject.self, forKey: .customData)
        isBlocked = try c.decodeUnlessNull(Bool.self, forKey: .isBlocked)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodePatch(displayName, forKey: .displayName)
        try c.encodePatch(customData, forKey: .customData)
        try c.encodeIfPresent(isBlocked, forKey: .isBlocked)
    }
}

/// `POST /v1/users/:user_id/tokens`.
public struct TokenRequest: Codable, Hashable, Sendable {
    /// Lifetime in seconds (default 3600, at most 86400).
    public var ttlSeconds: Int?

    /// Creates the request.
    public init(ttlSeconds: Int? = nil) { self.ttlSeconds = ttlSeconds }

    enum CodingKeys: String, CodingKey { case ttlSeconds = "ttl_seconds" }

    /// Absent means the default lifetime; `null` is refused rather than read as absent.
    public init(from decoder: any Decoder) throws {
        ttlSeconds = try decoder.container(keyedBy: CodingKeys.self).decodeUnlessNull(Int.self, forKey: .ttlSeconds)
    }
}

/// A minted end-user JWT.
public struct TokenResponse: Codable, Hashable, Sendable {
    /// The JWT.
    public var token: String
    /// When it expires.
    public var expiresAt: Date
    /// The user it is for.
    public var userId: String

    /// Creates the response.
    public init(token: String, expiresAt: Date, userId: String) {
        self.token = token
        self.expiresAt = expiresAt
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey { case token, expiresAt = "expires_at", userId = "user_id" }
}
