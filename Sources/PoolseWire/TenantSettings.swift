/// The tenant's settings (`GET/PATCH /v1/tenant/settings`, API key).
public struct TenantSettings: Codable, Hashable, Sendable {
    /// Whether push notifications show the message's text (else a generic "New message"). Default true.
    public var pushPreview: Bool

    /// Creates the value.
    public init(pushPreview: Bool) { self.pushPreview = pushPreview }

    enum CodingKeys: String, CodingKey { case pushPreview = "push_preview" }
}

/// `PATCH /v1/tenant/settings`: absent fields stay as they are.
public struct TenantSettingsUpdateRequest: Codable, Hashable, Sendable {
    public var pushPreview: Bool?

    /// Creates the request.
    public init(pushPreview: Bool? = nil) { self.pushPreview = pushPreview }

    enum CodingKeys: String, CodingKey { case pushPreview = "push_preview" }
}
