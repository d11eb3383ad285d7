import Crypto
import Foundation

/// The provider token APNs authenticates a connection's requests with: a compact ES256 JWT,
/// header `{alg: ES256, kid: <key id>}`, claims `{iss: <team id>, iat: <seconds>}`.
///
/// Apple refuses a token older than one hour (`ExpiredProviderToken`) and also one renewed more
/// often than every 20 minutes (`TooManyProviderTokenUpdates`), so one token is reused until it
/// is `maximumAge` old, 50 minutes, then replaced; `renew(rejected:)` replaces it early when
/// APNs says it expired (a clock that drifted).
actor APNsTokenSigner {
    /// How long one token is used.
    static let maximumAge: TimeInterval = 50 * 60

    private let key: P256.Signing.PrivateKey
    private let keyId: String
    private let teamId: String
    private let now: @Sendable () -> Date
    private var current: (token: String, issuedAt: Date)?

    init(credentials: APNsCredentials, now: @escaping @Sendable () -> Date = { Date() }) throws {
        key = try credentials.signingKey()
        keyId = credentials.keyId
        teamId = credentials.teamId
        self.now = now
    }

    /// The token to send now: the current one while younger than `maximumAge`, else a new one.
    func token() throws -> String {
        let time = now()
        if let current, time.timeIntervalSince(current.issuedAt) < Self.maximumAge, time >= current.issuedAt {
            return current.token
        }
        let token = try sign(issuedAt: time)
        current = (token, time)
        return token
    }

    /// Drops `rejected` if it is still the current token, so the next `token()` signs a new one.
    func renew(rejected: String) {
        if current?.token == rejected { current = nil }
    }

    private func sign(issuedAt: Date) throws -> String {
        struct Header: Encodable { let alg = "ES256"; let kid: String }
        struct Claims: Encodable { let iss: String; let iat: Int64 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let input = Base64URL.encode(try encoder.encode(Header(kid: keyId))) + "."
            + Base64URL.encode(try encoder.encode(Claims(iss: teamId, iat: Int64(issuedAt.timeIntervalSince1970))))
        // JWS wants the raw r‖s form of the signature, not DER.
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + Base64URL.encode(signature)
    }
}
