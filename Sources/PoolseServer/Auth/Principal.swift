import PoolseWire

/// Who is calling: a tenant backend with an API key, or an end user with a JWT.
enum Principal: Sendable {
    case tenant(tenantId: String, keyId: String)
    case user(UserPrincipal)

    var tenantId: String {
        switch self {
        case .tenant(let tenantId, _): tenantId
        case .user(let user): user.tenantId
        }
    }

    /// The id idempotency records and rate limits are kept under.
    var callerId: String {
        switch self {
        case .tenant(_, let keyId): "key:\(keyId)"
        case .user(let user): "user:\(user.user.id)"
        }
    }
}

/// An authenticated end user.
struct UserPrincipal: Sendable {
    let user: User
    let tokenId: String
    var tenantId: String { user.tenantId }
    var userId: String { user.id }
}

/// Which credential a route takes.
enum RouteAuth: Sendable {
    case none
    case apiKey
    case userToken
    /// Either: moderation routes that a conversation's owner/admin and the tenant's backend share.
    case userOrAPIKey
}
