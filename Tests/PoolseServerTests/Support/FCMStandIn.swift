import _CryptoExtras
import Foundation
import NIOConcurrencyHelpers

@testable import PoolseServer

/// A stand-in for Google: the OAuth token endpoint (`POST /token`, which verifies the RS256
/// assertion against the test's public key and answers an access token) and FCM's
/// `POST /v1/projects/<project>/messages:send` (which checks the bearer token and answers from
/// a script, then 200). Plain HTTP/1.1 on loopback.
///
/// ```swift
/// let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
/// let fcm = FCMStandIn(key: key.publicKey, clientEmail: "push@proj.iam.gserviceaccount.com")
/// try await fcm.start()
/// configuration.push.fcmURL = fcm.baseURL
/// configuration.push.fcmTokenURL = fcm.tokenURL
/// let account = FCMStandIn.serviceAccountJSON(key: key, projectId: "proj", clientEmail: …)
/// ```
final class FCMStandIn: Sendable {
    /// A scripted answer of `messages:send`.
    struct Reply: Sendable {
        let status: Int
        let body: [String: String]?

        static let ok = Reply(status: 200, body: nil)
        static let unregistered = Reply.error(404, "NOT_FOUND", errorCode: "UNREGISTERED", "Requested entity was not found.")
        static let invalidToken = Reply.error(400, "INVALID_ARGUMENT", errorCode: "INVALID_ARGUMENT",
                                              "The registration token is not a valid FCM registration token")
        static let invalidPayload = Reply.error(400, "INVALID_ARGUMENT", errorCode: "INVALID_ARGUMENT",
                                                "Invalid JSON payload received. Unknown name \"foo\"")
        static let quotaExceeded = Reply.error(429, "RESOURCE_EXHAUSTED", errorCode: "QUOTA_EXCEEDED", "Quota exceeded")
        static let unavailable = Reply.error(503, "UNAVAILABLE", errorCode: "UNAVAILABLE", "The service is unavailable")
        static let senderMismatch = Reply.error(403, "PERMISSION_DENIED", errorCode: "SENDER_ID_MISMATCH", "SenderId mismatch")
        static let unauthenticated = Reply.error(401, "UNAUTHENTICATED", errorCode: nil, "Request had invalid credentials")

        static func error(_ status: Int, _ name: String, errorCode: String?, _ message: String) -> Reply {
            var body = ["status": name, "message": message]
            if let errorCode { body["errorCode"] = errorCode }
            return Reply(status: status, body: body)
        }
    }

    /// One `messages:send` request.
    struct Sent: Sendable {
        let request: StandInRequest
        let projectId: String
        /// The bearer token it carried.
        let accessToken: String
        let status: Int
        /// `message` of the body.
        var message: [String: Any] { request.jsonObject?["message"] as? [String: Any] ?? [:] }
    }

    /// One token exchange: whether the assertion verified, and its claims.
    struct Exchange: Sendable {
        let valid: Bool
        let claims: [String: String]
        let issuedAt: Int64?
        let accessToken: String?
    }

    private struct State {
        var script: [Reply] = []
        var tokenScript: [Int] = []
        var sent: [Sent] = []
        var exchanges: [Exchange] = []
        var issued: Set<String> = []
        var expiresIn = 3600
    }

    private let key: _RSA.Signing.PublicKey
    private let clientEmail: String
    private let audience: String
    private let state = NIOLockedValueBox(State())
    private let server = NIOLockedValueBox<LoopbackHTTPServer?>(nil)

    /// `audience`: the `token_uri` the service account names (the assertion's `aud`).
    init(key: _RSA.Signing.PublicKey, clientEmail: String, audience: String = FCMServiceAccount.defaultTokenURI) {
        self.key = key
        self.clientEmail = clientEmail
        self.audience = audience
    }

    func start() async throws {
        let server = LoopbackHTTPServer(mode: .http1) { [self] in answer($0) }
        try await server.start()
        self.server.withLockedValue { $0 = server }
    }

    func stop() async { await server.withLockedValue { $0 }?.stop() }

    /// `http://127.0.0.1:<port>`, for `PushConfiguration.fcmURL`.
    var baseURL: String { "http://127.0.0.1:\(server.withLockedValue { $0?.port } ?? 0)" }
    /// The token endpoint, for `PushConfiguration.fcmTokenURL`.
    var tokenURL: String { baseURL + "/token" }

    /// Answers the next sends with `replies`, then 200.
    func script(_ replies: [Reply]) { state.withLockedValue { $0.script.append(contentsOf: replies) } }
    /// Answers the next token exchanges with these statuses (an error body), then normally.
    func scriptTokenEndpoint(_ statuses: [Int]) { state.withLockedValue { $0.tokenScript.append(contentsOf: statuses) } }
    /// The `expires_in` of the access tokens issued from now on. Default 3600.
    func setExpiresIn(_ seconds: Int) { state.withLockedValue { $0.expiresIn = seconds } }

    var sent: [Sent] { state.withLockedValue { $0.sent } }
    var exchanges: [Exchange] { state.withLockedValue { $0.exchanges } }

    /// A service-account JSON file for `key`.
    static func serviceAccountJSON(key: _RSA.Signing.PrivateKey, projectId: String = "poolse-test",
                                   clientEmail: String = "push@poolse-test.iam.gserviceaccount.com") -> String {
        let object: [String: String] = [
            "type": "service_account", "project_id": projectId, "private_key_id": "kid-1",
            "private_key": key.pemRepresentation, "client_email": clientEmail,
            "token_uri": FCMServiceAccount.defaultTokenURI,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func answer(_ request: StandInRequest) -> StandInResponse {
        if request.path == "/token" { return exchange(request) }
        let prefix = "/v1/projects/", suffix = "/messages:send"
        guard request.method == "POST", request.path.hasPrefix(prefix), request.path.hasSuffix(suffix) else {
            return .json(404, ["error": ["status": "NOT_FOUND", "message": "no such path"]])
        }
        let projectId = String(request.path.dropFirst(prefix.count).dropLast(suffix.count))
        let bearer = request.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let reply: Reply = state.withLockedValue { state in
            guard state.issued.contains(bearer) else { return .unauthenticated }
            guard let message = request.jsonObject?["message"] as? [String: Any], message["token"] is String else {
                return .invalidPayload
            }
            return state.script.isEmpty ? .ok : state.script.removeFirst()
        }
        state.withLockedValue {
            $0.sent.append(Sent(request: request, projectId: projectId, accessToken: bearer, status: reply.status))
        }
        guard let body = reply.body else { return .json(200, ["name": "projects/\(projectId)/messages/\(UUID().uuidString)"]) }
        var error: [String: Any] = ["code": reply.status, "status": body["status"] ?? "", "message": body["message"] ?? ""]
        if let code = body["errorCode"] {
            error["details"] = [["@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code]]
        }
        return .json(reply.status, ["error": error])
    }

    private func exchange(_ request: StandInRequest) -> StandInResponse {
        let form = Dictionary(String(decoding: request.body, as: UTF8.self).split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { a, _ in a })
        let (valid, claims, issuedAt) = verify(form["assertion"] ?? "")
        let grantOK = form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        return state.withLockedValue { state -> StandInResponse in
            if !state.tokenScript.isEmpty {
                let status = state.tokenScript.removeFirst()
                state.exchanges.append(Exchange(valid: valid, claims: claims, issuedAt: issuedAt, accessToken: nil))
                return .json(status, ["error": status >= 500 ? "backend_error" : "invalid_grant"])
            }
            guard valid, grantOK else {
                state.exchanges.append(Exchange(valid: false, claims: claims, issuedAt: issuedAt, accessToken: nil))
                return .json(400, ["error": "invalid_grant", "error_description": "Invalid JWT Signature."])
            }
            let token = "ya29.test-\(state.exchanges.count + 1)"
            state.issued.insert(token)
            state.exchanges.append(Exchange(valid: true, claims: claims, issuedAt: issuedAt, accessToken: token))
            return .json(200, ["access_token": token, "expires_in": state.expiresIn, "token_type": "Bearer"])
        }
    }

    /// Checks the RS256 assertion: header, signature, issuer, audience, scope, a one-hour lifetime.
    private func verify(_ jwt: String) -> (Bool, [String: String], Int64?) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let claims = (try? JSONSerialization.jsonObject(with: claimsData)) as? [String: Any]
        else { return (false, [:], nil) }
        let strings = claims.compactMapValues { $0 as? String }
        let iat = (claims["iat"] as? NSNumber)?.int64Value
        let exp = (claims["exp"] as? NSNumber)?.int64Value
        let signed = key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                          for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5)
        let valid = signed && header["alg"] as? String == "RS256" && strings["iss"] == clientEmail && strings["aud"] == audience
            && strings["scope"] == FCMAccessTokens.scope && iat != nil && exp == iat.map { $0 + 3600 }
        return (valid, strings, iat)
    }
}
