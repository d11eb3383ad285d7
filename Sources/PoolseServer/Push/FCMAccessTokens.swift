import _CryptoExtras
import AsyncHTTPClient
import Foundation
import NIOCore

/// OAuth access tokens for one service account. A token is obtained by posting an RS256-signed
/// JWT assertion (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`) to the account's
/// token endpoint, and reused until `renewalMargin` (5 minutes) before its `expires_in` ends.
/// Concurrent callers share one exchange.
actor FCMAccessTokens {
    /// How long before its expiry a token is replaced.
    static let renewalMargin: TimeInterval = 5 * 60
    /// The scope FCM's send API needs.
    static let scope = "https://www.googleapis.com/auth/firebase.messaging"

    /// Why no token could be had: `transient` (network, 429, 5xx: retry later) or not.
    struct Failure: Error, Equatable {
        let transient: Bool
        let reason: String
    }

    private let account: FCMServiceAccount
    private let key: _RSA.Signing.PrivateKey
    private let endpoint: String
    private let http: OutboundHTTPClient
    private let now: @Sendable () -> Date
    private var cached: (token: String, expiresAt: Date)?
    private var exchange: Task<(token: String, expiresAt: Date), any Error>?

    init(account: FCMServiceAccount, http: OutboundHTTPClient, tokenURL: String?, now: @escaping @Sendable () -> Date = { Date() })
        throws {
        self.account = account
        key = try account.signingKey()
        endpoint = tokenURL ?? account.tokenURI
        self.http = http
        self.now = now
    }

    /// A valid access token: the cached one, or a new one from the token endpoint.
    func token() async throws -> String {
        if let cached, now() < cached.expiresAt.addingTimeInterval(-Self.renewalMargin) { return cached.token }
        if let exchange { return try await exchange.value.token }
        let task = Task { try await self.fetch() }
        exchange = task
        defer { exchange = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh.token
    }

    /// Forgets `rejected` if it is the cached token (FCM answered 401 with it).
    func invalidate(_ rejected: String) {
        if cached?.token == rejected { cached = nil }
    }

    private func fetch() async throws -> (token: String, expiresAt: Date) {
        let issued = now()
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        let form = "grant_type=" + Self.formEncoded("urn:ietf:params:oauth:grant-type:jwt-bearer")
            + "&assertion=" + Self.formEncoded(try assertion(issuedAt: issued))
        request.body = .bytes(ByteBuffer(string: form))
        let response: OutboundHTTPClient.Response
        do {
            response = try await http.execute(request)
        } catch {
            throw Failure(transient: true, reason: "the OAuth token endpoint is unreachable: \(error)")
        }
        struct Answer: Decodable {
            let accessToken: String
            let expiresIn: Double
            enum CodingKeys: String, CodingKey { case accessToken = "access_token", expiresIn = "expires_in" }
        }
        guard response.status == 200 else {
            let transient = response.status == 429 || response.status >= 500
            let detail = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw Failure(transient: transient, reason: "OAuth token endpoint \(response.status): \(detail)")
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body), answer.expiresIn > 0 else {
            throw Failure(transient: true, reason: "the OAuth token endpoint answered without access_token/expires_in")
        }
        return (answer.accessToken, issued.addingTimeInterval(answer.expiresIn))
    }

    /// The signed assertion: `{alg: RS256, typ: JWT, kid?}`, `{iss, scope, aud: token_uri, iat, exp: iat + 3600}`.
    private func assertion(issuedAt: Date) throws -> String {
        struct Header: Encodable { let alg = "RS256"; let typ = "JWT"; let kid: String? }
        struct Claims: Encodable { let iss: String; let scope: String; let aud: String; let iat: Int64; let exp: Int64 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let iat = Int64(issuedAt.timeIntervalSince1970)
        let input = Base64URL.encode(try encoder.encode(Header(kid: account.privateKeyId))) + "."
            + Base64URL.encode(try encoder.encode(Claims(iss: account.clientEmail, scope: Self.scope, aud: account.tokenURI,
                                                         iat: iat, exp: iat + 3600)))
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// `application/x-www-form-urlencoded` for the few characters a JWT and a URN contain.
    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
