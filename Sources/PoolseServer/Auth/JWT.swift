import Crypto
import Foundation
import PoolseWire

/// End-user tokens: compact JWS, HS256 only, with a `kid` header (PROTOCOL.md §1).
/// Hand-written because the format is small and we want exactly one algorithm accepted.
struct JWTClaims: Codable, Sendable, Equatable {
    /// User id.
    let sub: String
    /// Tenant id.
    let tid: String
    /// External id.
    let ext: String
    let iat: Int64
    let exp: Int64
    let jti: String
}

enum JWT {
    private struct Header: Codable {
        let alg: String
        let typ: String?
        let kid: String?
    }

    /// Signs `claims` with the active key.
    static func sign(_ claims: JWTClaims, keys: SigningKeys) throws -> String {
        let header = try JSONEncoder().encode(Header(alg: "HS256", typ: "JWT", kid: keys.active.kid))
        let payload = try JSONEncoder().encode(claims)
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: keys.active.secret)
        return input + "." + Base64URL.encode(Data(mac))
    }

    /// Verifies signature, algorithm, key id and expiry; returns the claims.
    static func verify(_ token: String, keys: SigningKeys, nowSeconds: Int64) throws -> JWTClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Base64URL.decode(String(parts[0])),
              let payloadData = Base64URL.decode(String(parts[1])),
              let signature = Base64URL.decode(String(parts[2])),
              let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw DomainError.invalidToken("the token is malformed") }
        guard header.alg == "HS256" else { throw DomainError.invalidToken("unsupported token algorithm") }
        guard let kid = header.kid, let key = keys.key(kid: kid) else {
            throw DomainError.invalidToken("unknown signing key")
        }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key.secret) else {
            throw DomainError.invalidToken("bad token signature")
        }
        guard let claims = try? JSONDecoder().decode(JWTClaims.self, from: payloadData) else {
            throw DomainError.invalidToken("the token's claims are incomplete")
        }
        guard claims.exp > nowSeconds else { throw DomainError.tokenExpired }
        return claims
    }
}

/// Base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
