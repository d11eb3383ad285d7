import Crypto
import Foundation

/// Seals stored server secrets with AES-256-GCM under a key derived (SHA-256) from the
/// operator's `--secrets-key`, so a copy of the database alone does not give away the keys
/// that sign tokens. A sealed value is `v1:` followed by base64 of nonce, ciphertext and tag.
struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// A sealer for `passphrase` (at least 32 characters).
    init(passphrase: String) throws {
        guard passphrase.count >= 32 else { throw ConfigError("the secrets key must be at least 32 characters") }
        key = SymmetricKey(data: SHA256.hash(data: Data(passphrase.utf8)))
    }

    func seal(_ plain: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(plain.utf8), using: key).combined else {
            throw ConfigError("could not seal a secret")
        }
        return "v1:" + combined.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64Encoded: String(sealed.dropFirst(3))),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let plain = try? AES.GCM.open(box, using: key)
        else { throw ConfigError("a stored secret could not be opened: is --secrets-key the one it was sealed with?") }
        return String(decoding: plain, as: UTF8.self)
    }
}
