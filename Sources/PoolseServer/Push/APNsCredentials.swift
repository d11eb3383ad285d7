import Crypto
import Foundation

/// What APNs token authentication needs: the `.p8` signing key Apple issued, its key id, the
/// team that owns it, and the app's bundle id (the `apns-topic`).
struct APNsCredentials: Sendable, Hashable {
    let keyId: String
    let teamId: String
    let bundleId: String
    /// The `.p8` file's text (PKCS#8 PEM of a P-256 key).
    let privateKeyPEM: String
    /// Forces every push of the tenant to one APNs host; nil follows each device's `environment`.
    let environment: PushDevice.Environment?

    /// Checks every field, so a bad key is refused when it is configured rather than at the
    /// first push. Field names are the request's (`key_id`, `private_key`…).
    init(keyId: String, teamId: String, bundleId: String, privateKeyPEM: String,
         environment: PushDevice.Environment?) throws {
        var problems: [String: [String]] = [:]
        for (field, value) in [("key_id", keyId), ("team_id", teamId)] where !Self.isIdentifier(value) {
            problems[field] = ["must be 1 to 64 letters and digits (Apple shows 10)"]
        }
        if !Self.isBundleId(bundleId) {
            problems["bundle_id"] = ["must be a bundle identifier such as com.example.chat"]
        }
        if (try? P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)) == nil {
            problems["private_key"] = ["is not a P-256 private key in PEM form (paste the whole .p8 file)"]
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        self.keyId = keyId
        self.teamId = teamId
        self.bundleId = bundleId
        self.privateKeyPEM = privateKeyPEM
        self.environment = environment
    }

    /// The parsed signing key (validated by `init`).
    func signingKey() throws -> P256.Signing.PrivateKey { try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM) }

    private static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.unicodeScalars.allSatisfy { $0.isASCII && CharacterSet.alphanumerics.contains($0) }
    }

    /// Dot-separated labels of ASCII letters, digits and hyphens (openapi.json's pattern).
    private static func isBundleId(_ text: String) -> Bool {
        (1...155).contains(text.count)
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.unicodeScalars.allSatisfy {
                    $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-")
                }
            }
    }
}
