import Crypto
import Foundation

/// Tenant API keys: `pk_live_` followed by 40 random base62 characters. Only the
/// SHA-256 of a key is stored; the key is shown once, when it is created.
enum APIKeys {
    static let scheme = "pk_live_"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new random key.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return scheme + String((0..<40).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The stored form of a key.
    static func hash(_ key: String) -> String { SHA256.hash(data: Data(key.utf8)).hexString }

    /// The part of a key that is safe to show in listings and logs.
    static func prefix(_ key: String) -> String { String(key.prefix(scheme.count + 8)) }

    /// Whether a bearer credential looks like an API key (and not a JWT).
    static func looksLikeKey(_ credential: String) -> Bool { credential.hasPrefix(scheme) }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    /// Lowercase hexadecimal digest.
    var hexString: String { Array(self).hexString }
}
