import NIOConcurrencyHelpers

/// Claims of end-user tokens whose signature already checked out, so that a client sending
/// many requests with one token pays for the HMAC and the JSON decoding once. Keys are the
/// whole token text, so a cached entry is exactly a token we verified; expiry is still checked
/// on every use, and the user row (blocked or deleted) is still read per request.
final class VerifiedTokenCache: Sendable {
    /// Entries kept at most; when full the cache starts over (cheap, and a re-verify is cheap too).
    let capacity: Int
    private let claims = NIOLockedValueBox<[String: JWTClaims]>([:])

    init(capacity: Int = 50_000) { self.capacity = capacity }

    /// The token's claims, verifying it only when it is not cached. Throws what `JWT.verify` throws.
    func claims(of token: String, keys: SigningKeys, nowSeconds: Int64) throws -> JWTClaims {
        if let cached = claims.withLockedValue({ $0[token] }) {
            guard cached.exp > nowSeconds else {
                claims.withLockedValue { $0[token] = nil }
                throw DomainError.tokenExpired
            }
            return cached
        }
        let verified = try JWT.verify(token, keys: keys, nowSeconds: nowSeconds)
        claims.withLockedValue { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[token] = verified
        }
        return verified
    }

    var count: Int { claims.withLockedValue { $0.count } }
}
