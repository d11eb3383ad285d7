import Crypto
import Foundation

/// Signs and checks the local store's URLs: `/blobs/<attachment id>?expires=<unix s>&signature=<sig>`,
/// where `sig` is base64url HMAC-SHA256 over `METHOD \n id \n expires`. The URL is the
/// whole credential (no `Authorization` header); what the PUT must carry (content type,
/// size) is checked against the attachment row, which only the server writes.
struct BlobURLSigner: Sendable {
    enum Method: String, Sendable {
        case put = "PUT"
        case get = "GET"
    }

    private let key: SymmetricKey

    init(secret: Data) throws {
        guard secret.count >= 32 else { throw ConfigError("the blob signing secret must be at least 32 bytes") }
        key = SymmetricKey(data: secret)
    }

    /// The query string (`expires=…&signature=…`) for `method` on `attachmentId`.
    func query(_ method: Method, attachmentId: String, expiresAt: Date) -> String {
        let expires = Int64(expiresAt.timeIntervalSince1970.rounded(.down))
        return "expires=\(expires)&signature=\(signature(method, attachmentId: attachmentId, expires: expires))"
    }

    /// Checks a signed request: `signature_invalid` for anything that is not our signature
    /// over exactly these values, `signature_expired` for a genuine one past its time.
    func verify(_ method: Method, attachmentId: String, query: [String: String], now: Date = Date()) throws {
        guard let expiresText = query["expires"], let expires = Int64(expiresText),
              let signatureText = query["signature"], let mac = Self.base64URLDecode(signatureText),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.message(method, attachmentId, expires),
                                                     using: key)
        else { throw ServiceError.signatureInvalid }
        guard Double(expires) > now.timeIntervalSince1970 else { throw ServiceError.signatureExpired }
    }

    private func signature(_ method: Method, attachmentId: String, expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Self.message(method, attachmentId, expires), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func message(_ method: Method, _ attachmentId: String, _ expires: Int64) -> Data {
        Data("\(method.rawValue)\n\(attachmentId)\n\(expires)".utf8)
    }

    private static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// A fresh random secret (32 bytes); `SharedSecrets` keeps it in the database.
    static func generateSecret() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }
}
