import Crypto
import Foundation

/// The HMAC keys that sign end-user JWTs, by `kid`. The first key signs; every key
/// verifies, so a key can be rotated by adding a new one first and dropping the old one
/// once its tokens have expired.
public struct SigningKeys: Sendable {
    /// One key.
    public struct Key: Sendable {
        public let kid: String
        let secret: SymmetricKey

        /// Creates a key; secrets shorter than 32 bytes are refused.
        public init(kid: String, secret: Data) throws {
            guard secret.count >= 32 else { throw ConfigError("signing secret \(kid) must be at least 32 bytes") }
            guard !kid.isEmpty, kid.count <= 64 else { throw ConfigError("signing key id must be 1 to 64 characters") }
            self.kid = kid
            self.secret = SymmetricKey(data: secret)
        }
    }

    /// The key that signs new tokens.
    public let active: Key
    let byKid: [String: Key]

    /// Creates the set; `keys` must not be empty and the first one signs.
    public init(_ keys: [Key]) throws {
        guard let first = keys.first else { throw ConfigError("at least one signing key is required") }
        active = first
        byKid = Dictionary(keys.map { ($0.kid, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Parses `kid:base64secret[,kid:base64secret…]` (the `--jwt-secrets` format).
    public static func parse(_ text: String) throws -> SigningKeys {
        let keys = try text.split(separator: ",").map { item -> Key in
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let secret = Data(base64Encoded: parts[1]) else {
                throw ConfigError("signing keys must look like kid:base64secret")
            }
            return try Key(kid: parts[0], secret: secret)
        }
        return try SigningKeys(keys)
    }

    /// A fresh random key set (one 32-byte key).
    public static func generate() throws -> (keys: SigningKeys, serialized: String) {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let kid = "k" + String(UInt32.random(in: .min ... .max), radix: 16)
        let serialized = "\(kid):\(secret.base64EncodedString())"
        return (try parse(serialized), serialized)
    }

    func key(kid: String) -> Key? { byKid[kid] }
}

/// A configuration problem, reported at start-up.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
