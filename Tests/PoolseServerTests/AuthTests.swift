import Foundation
import Testing

@testable import PoolseServer

@Suite("JWT and API keys")
struct AuthTests {
    let keys = try! SigningKeys.parse("k1:" + Data(repeating: 7, count: 32).base64EncodedString())
    let now = Int64(Date().timeIntervalSince1970)

    func claims(exp: Int64) -> JWTClaims {
        JWTClaims(sub: "u", tid: "t", ext: "e", iat: now, exp: exp, jti: "j")
    }

    @Test func signedTokenVerifiesWithItsKid() throws {
        let token = try JWT.sign(claims(exp: now + 60), keys: keys)
        #expect(try JWT.verify(token, keys: keys, nowSeconds: now).sub == "u")
    }

    @Test func expiredTokenIsTokenExpired() throws {
        let token = try JWT.sign(claims(exp: now - 1), keys: keys)
        #expect(throws: DomainError.tokenExpired) { try JWT.verify(token, keys: keys, nowSeconds: now) }
    }

    @Test func tamperedAlgNoneAndUnknownKidAreInvalid() throws {
        let token = try JWT.sign(claims(exp: now + 60), keys: keys)
        let parts = token.split(separator: ".").map(String.init)
        let forgedPayload = Base64URL.encode(Data(#"{"sub":"admin","tid":"t","ext":"e","iat":1,"exp":9999999999,"jti":"j"}"#.utf8))
        let noneHeader = Base64URL.encode(Data(#"{"alg":"none","kid":"k1"}"#.utf8))
        let otherKid = Base64URL.encode(Data(#"{"alg":"HS256","kid":"k2"}"#.utf8))
        for forged in ["\(parts[0]).\(forgedPayload).\(parts[2])", "\(noneHeader).\(parts[1]).",
                       "\(otherKid).\(parts[1]).\(parts[2])", "garbage", ""] {
            #expect(throws: DomainError.self) { try JWT.verify(forged, keys: keys, nowSeconds: now) }
            do { _ = try JWT.verify(forged, keys: keys, nowSeconds: now) } catch let error as DomainError {
                #expect(error.code == .invalidToken)
            }
        }
    }

    @Test func rotatedKeysStillVerifyOldTokens() throws {
        let old = try JWT.sign(claims(exp: now + 60), keys: keys)
        let rotated = try SigningKeys.parse("k2:" + Data(repeating: 9, count: 32).base64EncodedString()
                                            + ",k1:" + Data(repeating: 7, count: 32).base64EncodedString())
        #expect(rotated.active.kid == "k2")
        #expect(try JWT.verify(old, keys: rotated, nowSeconds: now).sub == "u")
    }

    @Test func cachedTokensStillExpireAndForgeriesAreNeverCached() throws {
        let cache = VerifiedTokenCache(capacity: 2)
        let token = try JWT.sign(claims(exp: now + 60), keys: keys)
        #expect(try cache.claims(of: token, keys: keys, nowSeconds: now).sub == "u")
        #expect(cache.count == 1)
        // A hit past the expiry is refused, and the entry goes.
        var expired: DomainError?
        do { _ = try cache.claims(of: token, keys: keys, nowSeconds: now + 61) } catch let error as DomainError { expired = error }
        #expect(expired == .tokenExpired)
        #expect(cache.count == 0)

        let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
        for _ in 0..<2 {
            var refused: DomainError?
            do { _ = try cache.claims(of: forged, keys: keys, nowSeconds: now) } catch let error as DomainError { refused = error }
            #expect(refused?.code == .invalidToken)
        }
        #expect(cache.count == 0)

        // Past its capacity the cache starts over instead of growing.
        for n in 0..<3 {
            let other = try JWT.sign(JWTClaims(sub: "u\(n)", tid: "t", ext: "e", iat: now, exp: now + 60, jti: "j\(n)"), keys: keys)
            #expect(try cache.claims(of: other, keys: keys, nowSeconds: now).sub == "u\(n)")
        }
        #expect(cache.count == 1)
    }

    @Test func shortSecretsAreRefused() {
        #expect(throws: ConfigError.self) { try SigningKeys.parse("k:" + Data(repeating: 1, count: 16).base64EncodedString()) }
    }

    @Test func apiKeysHaveTheDocumentedShapeAndAreStoredHashed() {
        let key = APIKeys.generate()
        #expect(key.hasPrefix("pk_live_"))
        #expect(key.count == 48)
        #expect(APIKeys.hash(key).count == 64)
        #expect(APIKeys.hash(key) != key)
        #expect(APIKeys.generate() != key)
    }
}
