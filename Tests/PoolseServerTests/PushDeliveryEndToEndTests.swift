import Crypto
import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The whole push path against the stand-in APNs (HTTP/2 over TLS, checking the provider JWT):
/// a device registered through the API, a message or a call, the outbound queue, the APNs
/// provider with the tenant's key, and what arrives at "Apple".
@Suite("Push delivery end to end", .serialized)
struct PushDeliveryEndToEndTests {
    private static let bundleId = "com.example.chat"

    /// A server whose tenant has an APNs key, pointed at a started stand-in.
    private func withAPNs(_ body: (ServerNode, APNsStandIn) async throws -> Void) async throws {
        let key = P256.Signing.PrivateKey()
        let apns = try APNsStandIn(key: key.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
        try await apns.start()
        do {
            try await ServerFixture.runNode({
                $0.fastOutbound()
                $0.push.apnsProductionURL = apns.baseURL
                $0.push.apnsSandboxURL = apns.baseURL
                $0.push.trustRootsFile = apns.trustRootsFile
            }) { server in
                try await server.ok(.put, "/v1/tenant/push/apns", token: nil, body: [
                    "key_id": "KEY1234567", "team_id": "TEAM123456", "bundle_id": .string(Self.bundleId),
                    "private_key": .string(key.pemRepresentation),
                ])
                try await body(server, apns)
            }
        } catch {
            await apns.stop()
            throw error
        }
        await apns.stop()
    }

    private func register(_ token: String, kind: String, for user: TestUser, on server: ServerNode) async throws {
        try await server.ok(.post, "/v1/devices", token: user.token,
                            body: ["token": .string(token), "platform": "ios", "kind": .string(kind)])
    }

    @Test func aMessageToAnOfflineMemberArrivesAtAPNsAsAnAlert() async throws {
        try await withAPNs { server, apns in
            let ann = try await server.user("push-ann"), bob = try await server.user("push-bob")
            try await register("bob-alert-token", kind: "alert", for: bob, on: server)
            try await register("bob-voip-token", kind: "voip", for: bob, on: server)
            let room = try await server.conversation(owner: ann, members: [bob])
            let sent = try await server.send("lunch at noon?", in: room, as: ann)
            try await server.eventually(timeout: .seconds(30)) { !apns.received.isEmpty }
            let pushes = apns.received
            // One alert to the alert token; the PushKit token only gets calls.
            #expect(pushes.map(\.deviceToken) == ["bob-alert-token"])
            let push = try #require(pushes.first)
            #expect(push.jwtValid)
            #expect(push.request.headers["apns-push-type"] == "alert")
            #expect(push.request.headers["apns-topic"] == Self.bundleId)
            let payload = try #require(push.request.jsonObject)
            let aps = try #require(payload["aps"] as? [String: Any])
            let alert = try #require(aps["alert"] as? [String: Any])
            #expect(alert["body"] as? String == "lunch at noon?")
            #expect(aps["mutable-content"] as? Int == 1)
            #expect(aps["thread-id"] as? String == room)
            #expect(aps["badge"] as? Int == 1)
            #expect(payload["conversation_id"] as? String == room)
            #expect(payload["message_id"] as? String == (try sent.memberString("id")))
            #expect(payload["sender_id"] as? String == ann.id)
        }
    }

    @Test func aCallInviteArrivesAtAPNsAsAVoIPPush() async throws {
        try await withAPNs { server, apns in
            let ann = try await server.user("call-ann"), bob = try await server.user("call-bob")
            try await register("bob-alert-token", kind: "alert", for: bob, on: server)
            try await register("bob-voip-token", kind: "voip", for: bob, on: server)
            let room = try await server.conversation(owner: ann, members: [bob])
            let caller = try await CallRingingTests.phone(ann, on: server)
            let callId = try await CallRingingTests.invite(caller, room, media: "video")
            try await server.eventually(timeout: .seconds(30)) { apns.received.contains { $0.deviceToken == "bob-voip-token" } }
            let push = try #require(apns.received.first { $0.deviceToken == "bob-voip-token" })
            #expect(push.jwtValid)
            #expect(push.request.headers["apns-push-type"] == "voip")
            #expect(push.request.headers["apns-topic"] == Self.bundleId + ".voip")
            let payload = try #require(push.request.jsonObject)
            #expect(payload["call_id"] as? String == callId)
            #expect(payload["conversation_id"] as? String == room)
            #expect(payload["caller_user_id"] as? String == ann.id)
            #expect(payload["caller_name"] as? String == "call-ann")
            #expect(payload["media"] as? String == "video")
            #expect(payload["has_video"] as? Bool == true)
            #expect((payload["sent_at"] as? NSNumber).map { $0.int64Value > 1_700_000_000_000 } == true, "milliseconds")
            // The call rings Bob's PushKit token only, not his alert token.
            #expect(!apns.received.contains { $0.deviceToken == "bob-alert-token" })
        }
    }
}
