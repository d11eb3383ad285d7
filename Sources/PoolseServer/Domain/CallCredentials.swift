import Crypto
import Foundation
import PoolseWire

/// What a client needs to carry a call's media: ICE servers (STUN, and TURN with coturn REST
/// credentials) and, when an SFU is configured, a LiveKit access token (docs/calls.md).
struct CallCredentials: Sendable {
    let configuration: CallConfiguration
    let store: Store

    /// STUN URLs as they are; TURN URLs with credentials that expire after `turnTTL`, in
    /// coturn's REST format (`use-auth-secret`): username `<expiry unix seconds>:<user id>`,
    /// credential base64(HMAC-SHA1(secret, username)).
    func iceServers(for userId: String) -> IceServersResponse {
        let ttl = Int(configuration.turnTTL.components.seconds)
        var servers: [IceServer] = []
        if !configuration.stunURLs.isEmpty { servers.append(IceServer(urls: configuration.stunURLs)) }
        if !configuration.turnURLs.isEmpty, let secret = configuration.turnSecret, !secret.isEmpty {
            let expiry = configuration.now() / 1_000_000 + Int64(ttl)
            let username = "\(expiry):\(userId)"
            servers.append(IceServer(urls: configuration.turnURLs, username: username,
                                     credential: Self.turnCredential(username: username, secret: secret)))
        }
        return IceServersResponse(iceServers: servers, ttlSeconds: ttl)
    }

    /// A LiveKit token for the conversation's room, for a member; `unavailable` (503) when no
    /// SFU is configured, which clients take as "use the mesh".
    func callToken(conversationId: String, for caller: UserPrincipal) async throws -> CallToken {
        guard let liveKit = configuration.liveKit else {
            throw DomainError.unavailable("no SFU is configured for calls; use peer-to-peer (the mesh)")
        }
        _ = try await store.read { try await ConversationService.visibleConversation(id: conversationId, caller: caller, $0) }
        let now = configuration.now() / 1_000_000
        let expiry = now + Int64(configuration.liveKitTokenTTL.components.seconds)
        let claims = LiveKitClaims(iss: liveKit.apiKey, sub: caller.userId, nbf: now, exp: expiry,
                                   name: caller.user.displayName ?? caller.user.externalId,
                                   video: .init(roomJoin: true, room: conversationId, canPublish: true, canSubscribe: true))
        return CallToken(url: liveKit.url, token: try Self.sign(claims, secret: liveKit.apiSecret), room: conversationId,
                         expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)))
    }

    static func turnCredential(username: String, secret: String) -> String {
        Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8))))
            .base64EncodedString()
    }

    /// A compact HS256 JWS over `claims` (LiveKit verifies it with the API secret).
    static func sign(_ claims: LiveKitClaims, secret: String) throws -> String {
        let header = try JSONEncoder().encode(["alg": "HS256", "typ": "JWT"])
        let input = Base64URL.encode(header) + "." + Base64URL.encode(try JSONEncoder().encode(claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + Base64URL.encode(Data(mac))
    }
}

/// The claims of a LiveKit access token.
struct LiveKitClaims: Codable, Equatable {
    /// The API key.
    let iss: String
    /// The participant identity: the poolse user id.
    let sub: String
    let nbf: Int64
    let exp: Int64
    /// The participant's display name.
    let name: String?
    let video: VideoGrant

    struct VideoGrant: Codable, Equatable {
        let roomJoin: Bool
        let room: String
        let canPublish: Bool
        let canSubscribe: Bool
    }
}
