import Foundation
import PoolseWire

/// The tenant-admin operations on users (PROTOCOL.md §3).
struct UserService: Sendable {
    let store: Store
    let keys: SigningKeys
    let limits: Limits
    let committer: ChangeCommitter
    var validate: Validation { Validation(limits: limits) }

    /// Creates the user, or returns the existing one with that external id unchanged.
    func create(_ request: UserCreateRequest, tenantId: String) async throws -> (User, created: Bool) {
        let externalId = try validate.externalId(request.externalId)
        try validate.optionalText(request.displayName, field: "display_name", maxLength: limits.maxNameLength)
        try validate.jsonObject(request.customData, field: "custom_data")
        let now = Date()
        let user = User(id: IDs.make(), tenantId: tenantId, externalId: externalId, displayName: request.displayName,
                        customData: request.customData, insertedAt: now, updatedAt: now)
        return try await committer.commit(lane: nil) { q -> Change<(User, created: Bool)> in
            guard let result = try await q.insertOrFetchUser(user) else { throw DomainError.internalError }
            return Change((result.user, result.created), jobs: result.created
                ? [try .webhook(WebhookEvent.userCreated, tenantId: tenantId, conversationId: nil, result.user)] : [])
        }
    }

    func get(id: String, tenantId: String) async throws -> User {
        guard let user = try await store.read({ try await $0.user(id: id, tenantId: tenantId) }) else {
            throw DomainError.notFound("user")
        }
        return user
    }

    func update(id: String, tenantId: String, _ request: UserUpdateRequest) async throws -> User {
        if let name = request.displayName { try validate.optionalText(name, field: "display_name", maxLength: limits.maxNameLength) }
        if let data = request.customData { try validate.jsonObject(data, field: "custom_data") }
        return try await committer.commit(lane: nil) { q in
            guard var user = try await q.user(id: id, tenantId: tenantId) else { throw DomainError.notFound("user") }
            if let name = request.displayName { user.displayName = name }
            if let data = request.customData { user.customData = data }
            if let blocked = request.isBlocked { user.isBlocked = blocked }
            user.updatedAt = Date()
            try await q.updateUser(user)
            // A blocked user's open sockets are closed at once, on every node (new ones are
            // refused at the upgrade).
            return Change(user, events: user.isBlocked ? [.command(.disconnectUser(userId: user.id))] : [])
        }
    }

    /// Mints an end-user JWT.
    func mintToken(userId: String, tenantId: String, ttlSeconds: Int?) async throws -> TokenResponse {
        let ttl = ttlSeconds ?? limits.defaultTokenTTL
        guard (1...limits.maxTokenTTL).contains(ttl) else {
            throw DomainError.validation("ttl_seconds", "must be between 1 and \(limits.maxTokenTTL)")
        }
        let user = try await get(id: userId, tenantId: tenantId)
        guard !user.isBlocked else { throw DomainError.userBlocked }
        return try Self.token(for: user, ttlSeconds: ttl, keys: keys)
    }

    /// Signs a token for `user` (also used by the `poolse user token` command).
    static func token(for user: User, ttlSeconds: Int, keys: SigningKeys) throws -> TokenResponse {
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JWTClaims(sub: user.id, tid: user.tenantId, ext: user.externalId, iat: now,
                               exp: now + Int64(ttlSeconds), jti: IDs.make())
        let token = try JWT.sign(claims, keys: keys)
        return TokenResponse(token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)),
                             userId: user.id)
    }
}
