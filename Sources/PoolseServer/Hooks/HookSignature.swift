import Crypto
import Foundation

/// How the server signs what it posts to a tenant's endpoint (the before-send hook; webhooks use
/// the same scheme): `Poolse-Timestamp: <unix seconds>` and `Poolse-Signature: v1=<hex
/// HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`. The receiver recomputes it and
/// refuses old timestamps, which stops replays.
enum HookSignature {
    static func headers(body: Data, secret: String, timestamp: Int64) -> [(name: String, value: String)] {
        [("Poolse-Timestamp", String(timestamp)), ("Poolse-Signature", "v1=" + signature(body: body, secret: secret, timestamp: timestamp))]
    }

    static func signature(body: Data, secret: String, timestamp: Int64) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
