import Foundation

/// Reads the `exp` claim of a JWT without verifying it: the SDK only needs to know
/// when to ask for a new token, the server does the verifying.
enum JWTExpiry {
    /// The expiry of `token`, or nil when it is not a JWT with a numeric `exp`.
    static func expiry(of token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecode(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
              let exp = claims["exp"] as? NSNumber, exp.doubleValue.isFinite
        else { return nil }
        return Date(timeIntervalSince1970: exp.doubleValue)
    }

    /// Base64url (RFC 4648 §5) without padding, as JWTs use it.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64)
    }
}
