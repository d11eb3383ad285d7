import Foundation
import PoolseWire

/// Turns an `Authorization: Bearer …` header into a `Principal`, checking keys,
/// signatures, expiry and blocked users.
struct Authenticator: Sendable {
    let store: Store
    let keys: SigningKeys
    var verifiedTokens = VerifiedTokenCache()

    func authenticate(authorization: String?, as kind: RouteAuth) async throws -> Principal? {
        guard kind != .none else { return nil }
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw DomainError.unauthorized("an Authorization: Bearer header is required")
        }
        let credential = Self.trimmingBlanks(authorization.dropFirst("bearer ".count))
        let kind = kind == .userOrAPIKey ? (APIKeys.looksLikeKey(credential) ? RouteAuth.apiKey : .userToken) : kind
        switch kind {
        case .none, .userOrAPIKey:
            return nil
        case .apiKey:
            guard APIKeys.looksLikeKey(credential) else {
                throw DomainError.unauthorized("this route takes a tenant API key")
            }
            let hash = APIKeys.hash(credential)
            guard let key = try await store.read({ try await $0.activeAPIKey(hash: hash) }) else {
                throw DomainError.unauthorized("unknown or revoked API key")
            }
            return .tenant(tenantId: key.tenantId, keyId: key.id)
        case .userToken:
            guard !APIKeys.looksLikeKey(credential) else {
                throw DomainError.unauthorized("this route takes an end-user token, not an API key")
            }
            let claims = try verifiedTokens.claims(of: credential, keys: keys, nowSeconds: Int64(Date().timeIntervalSince1970))
            guard let user = try await store.read({ try await $0.user(id: claims.sub, tenantId: claims.tid) }) else {
                throw DomainError.invalidToken("the token's user does not exist")
            }
            guard !user.isBlocked else { throw DomainError.userBlocked }
            return .user(UserPrincipal(user: user, tokenId: claims.jti))
        }
    }

    /// Drops spaces and tabs at both ends (natively: Foundation's `trimmingCharacters` goes
    /// through `NSString` on Linux, a measurable cost on every request).
    private static func trimmingBlanks(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }
}
