import Crypto
import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// `GET /v1/ice-servers` and `POST /v1/conversations/:id/call-token`: credentials checked by
/// computing them again here, from the configured secrets.
@Suite("Calls: ICE servers and SFU tokens")
struct CallCredentialsRouteTests {
    static let turnSecret = "coturn-static-auth-secret"
    static let liveKitSecret = "livekit-api-secret-of-at-least-32-chars"

    @Test func iceServersGiveStunAndTurnWithCoturnRESTCredentials() async throws {
        let clock = CallTestClock()
        try await ServerFixture.runNode({
            $0.calls.stunURLs = ["stun:stun.example.com:3478", "stun:stun2.example.com:3478"]
            $0.calls.turnURLs = ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"]
            $0.calls.turnSecret = Self.turnSecret
            $0.calls.turnTTL = .seconds(3_600)
            $0.calls.now = { clock.micros }
        }) { server in
            let ann = try await server.user("ann")
            let answer = try await server.ok(.get, "/v1/ice-servers", token: ann.token)
            #expect(answer.member("ttl_seconds") == 3_600)
            let servers = try #require(answer.member("ice_servers").arrayValue)
            #expect(servers.count == 2)
            #expect(servers[0] == ["urls": ["stun:stun.example.com:3478", "stun:stun2.example.com:3478"]])
            let turn = servers[1]
            #expect(turn.member("urls") == ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"])
            let username = try turn.memberString("username")
            #expect(username == "\(clock.micros / 1_000_000 + 3_600):\(ann.id)")
            let expected = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8),
                                                                  using: SymmetricKey(data: Data(Self.turnSecret.utf8)))
            #expect(try turn.memberString("credential") == Data(expected).base64EncodedString())
            // Only users: the tenant's API key is not a caller with a TURN identity.
            #expect(try await server.call(.get, "/v1/ice-servers", token: nil).status == 401)
        }
    }

    @Test func withoutTurnSecretOnlyStunIsOffered() async throws {
        try await ServerFixture.runNode({
            $0.calls.stunURLs = ["stun:stun.example.com:3478"]
            $0.calls.turnURLs = ["turn:turn.example.com:3478"]
        }) { server in
            let ann = try await server.user("ann")
            let answer = try await server.ok(.get, "/v1/ice-servers", token: ann.token)
            #expect(answer.member("ice_servers") == [["urls": ["stun:stun.example.com:3478"]]])
            #expect(answer.member("ttl_seconds") == 86_400)
        }
    }

    @Test func theCallTokenIsALiveKitTokenSignedWithTheAPISecretForMembersOnly() async throws {
        let clock = CallTestClock()
        try await ServerFixture.runNode({
            $0.calls.liveKitURL = "wss://sfu.example.com"
            $0.calls.liveKitAPIKey = "APIkey123"
            $0.calls.liveKitAPISecret = Self.liveKitSecret
            $0.calls.liveKitTokenTTL = .seconds(600)
            $0.calls.now = { clock.micros }
        }) { server in
            let ann = try await server.user("ann"), eve = try await server.user("eve")
            let room = try await server.conversation(owner: ann, members: [])
            let answer = try await server.ok(.post, "/v1/conversations/\(room)/call-token", token: ann.token)
            #expect(answer.member("url") == "wss://sfu.example.com")
            #expect(answer.member("room") == .string(room))
            let now = clock.micros / 1_000_000
            let expiresAt = try #require(WireTime.parse(try answer.memberString("expires_at")))
            #expect(Int64(expiresAt.timeIntervalSince1970) == now + 600)

            let parts = try answer.memberString("token").split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(parts[0]).\(parts[1])".utf8),
                                                      using: SymmetricKey(data: Data(Self.liveKitSecret.utf8)))
            #expect(parts[2] == Base64URL.encode(Data(mac)))
            let header = try WireCoding.decoder.decode(JSONValue.self, from: try #require(Base64URL.decode(parts[0])))
            #expect(header == ["alg": "HS256", "typ": "JWT"])
            let claims = try WireCoding.decoder.decode(JSONValue.self, from: try #require(Base64URL.decode(parts[1])))
            #expect(claims.member("iss") == "APIkey123")
            #expect(claims.member("sub") == .string(ann.id))
            #expect(claims.member("nbf") == .number(Double(now)))
            #expect(claims.member("exp") == .number(Double(now + 600)))
            #expect(claims.member("video") == ["roomJoin": true, "room": .string(room), "canPublish": true, "canSubscribe": true])

            let outsider = try await server.call(.post, "/v1/conversations/\(room)/call-token", token: eve.token)
            #expect(outsider.status == 404)
            #expect(outsider.json.member("error").member("code") == "not_found")
        }
    }

    @Test func withoutAnSFUTheCallTokenIs503WithAnErrorEnvelope() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let room = try await server.conversation(owner: ann, members: [])
            let answer = try await server.call(.post, "/v1/conversations/\(room)/call-token", token: ann.token)
            #expect(answer.status == 503)
            #expect(answer.json.member("error").member("code") == "unavailable")
            #expect(answer.json.member("error").member("message").stringValue?.contains("mesh") == true)
        }
    }
}
