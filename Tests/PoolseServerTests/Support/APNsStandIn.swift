import Crypto
import Foundation
import NIOConcurrencyHelpers

@testable import PoolseServer

/// A stand-in for Apple's push service: HTTP/2 over TLS on loopback with a throwaway
/// certificate. It checks each request as APNs would (the ES256 provider token against the
/// test's public key, key id and team id; the topic and push type headers; a JSON payload) and
/// answers from a script, then 200.
///
/// ```swift
/// let apns = try APNsStandIn(key: key.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
/// try await apns.start()
/// configuration.push.apnsProductionURL = apns.baseURL      // and apnsSandboxURL
/// configuration.push.trustRootsFile = apns.trustRootsFile
/// … send …
/// apns.received   // what arrived, in order
/// await apns.stop()
/// ```
final class APNsStandIn: Sendable {
    /// One request APNs received.
    struct Received: Sendable {
        let request: StandInRequest
        /// The device token from `/3/device/<token>`.
        let deviceToken: String
        /// The provider token (`authorization: bearer …`).
        let jwt: String
        /// Whether the provider token verified against the key, key id and team id.
        let jwtValid: Bool
        /// The JWT's `iat`.
        let issuedAt: Int64?
        /// What the stand-in answered.
        let status: Int
    }

    /// A scripted answer.
    struct Reply: Sendable {
        let status: Int
        let reason: String?
        var retryAfter: String?

        static let ok = Reply(status: 200, reason: nil)
        static let unregistered = Reply(status: 410, reason: "Unregistered")
        static let badDeviceToken = Reply(status: 400, reason: "BadDeviceToken")
        static let expiredProviderToken = Reply(status: 403, reason: "ExpiredProviderToken")
        static let serviceUnavailable = Reply(status: 503, reason: "ServiceUnavailable")
        static func tooManyRequests(retryAfter: String? = nil) -> Reply {
            Reply(status: 429, reason: "TooManyRequests", retryAfter: retryAfter)
        }
    }

    private struct State {
        var script: [Reply] = []
        var received: [Received] = []
    }

    private let key: P256.Signing.PublicKey
    private let keyId: String
    private let teamId: String
    private let state = NIOLockedValueBox(State())
    private let certificates: TestCertificates
    private let server = NIOLockedValueBox<LoopbackHTTPServer?>(nil)

    init(key: P256.Signing.PublicKey, keyId: String, teamId: String) throws {
        self.key = key
        self.keyId = keyId
        self.teamId = teamId
        certificates = try TestCertificates.shared()
    }

    /// Starts listening on a loopback port.
    func start() async throws {
        let server = LoopbackHTTPServer(mode: .http2TLS(certificates)) { [self] in answer($0) }
        try await server.start()
        self.server.withLockedValue { $0 = server }
    }

    /// Stops listening.
    func stop() async { await server.withLockedValue { $0 }?.stop() }

    /// `https://127.0.0.1:<port>`, for `PushConfiguration.apnsProductionURL` / `apnsSandboxURL`.
    var baseURL: String { "https://127.0.0.1:\(server.withLockedValue { $0?.port } ?? 0)" }

    /// The CA file the client must trust (`PushConfiguration.trustRootsFile`).
    var trustRootsFile: String { certificates.caFile }

    /// Answers the next requests with `replies`, in order; then 200 again.
    func script(_ replies: [Reply]) { state.withLockedValue { $0.script.append(contentsOf: replies) } }

    /// Every request so far, in arrival order.
    var received: [Received] { state.withLockedValue { $0.received } }

    private func answer(_ request: StandInRequest) -> StandInResponse {
        let jwt = request.headers["authorization"].flatMap { $0.hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let (valid, issuedAt) = verify(jwt)
        let deviceToken = request.path.hasPrefix("/3/device/") ? String(request.path.dropFirst("/3/device/".count)) : ""
        let reply: Reply = state.withLockedValue { state in
            if request.method != "POST" || deviceToken.isEmpty { return Reply(status: 404, reason: "BadPath") }
            if !valid { return Reply(status: 403, reason: "InvalidProviderToken") }
            guard let topic = request.headers["apns-topic"], !topic.isEmpty else { return Reply(status: 400, reason: "MissingTopic") }
            guard ["alert", "voip"].contains(request.headers["apns-push-type"] ?? "") else {
                return Reply(status: 400, reason: "InvalidPushType")
            }
            guard request.jsonObject != nil else { return Reply(status: 400, reason: "PayloadEmpty") }
            return state.script.isEmpty ? .ok : state.script.removeFirst()
        }
        state.withLockedValue {
            $0.received.append(Received(request: request, deviceToken: deviceToken, jwt: jwt, jwtValid: valid,
                                        issuedAt: issuedAt, status: reply.status))
        }
        var headers = ["apns-id": UUID().uuidString]
        if let retryAfter = reply.retryAfter { headers["retry-after"] = retryAfter }
        guard let reason = reply.reason, reply.status != 200 else { return StandInResponse(status: reply.status, headers: headers) }
        return .json(reply.status, ["reason": reason], headers: headers)
    }

    /// Checks an ES256 compact JWS: header `{alg: ES256, kid}`, claims `{iss, iat}`, signature.
    private func verify(_ jwt: String) -> (valid: Bool, issuedAt: Int64?) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
              let signatureData = Base64URL.decode(parts[2]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let claims = (try? JSONSerialization.jsonObject(with: claimsData)) as? [String: Any]
        else { return (false, nil) }
        let issuedAt = (claims["iat"] as? NSNumber)?.int64Value
        guard header["alg"] as? String == "ES256", header["kid"] as? String == keyId, claims["iss"] as? String == teamId,
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureData),
              key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8))
        else { return (false, issuedAt) }
        return (true, issuedAt)
    }
}
