import Foundation
import NIOConcurrencyHelpers
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Ringing over real sockets (`call:*` pushes on `user:<id>`, docs/calls.md): the state lives in
/// the database, so the same flows pass on one node and across two (on PostgreSQL through
/// LISTEN/NOTIFY when `POOLSE_TEST_POSTGRES_URL` is set).
@Suite("Calls: ringing", .serialized)
struct CallRingingTests {
    /// A user with a socket joined to its own `user:<id>` topic.
    struct Phone {
        let user: TestUser
        let socket: PhoenixTestSocket
        var topic: String { "user:\(user.id)" }

        /// Pushes `event` and returns the reply's status and response.
        func push(_ event: String, _ payload: JSONValue, ref: String) async throws -> (status: String, response: JSONValue) {
            socket.push(topic, event, joinRef: "u", ref: ref, payload: payload.jsonText)
            let reply = try await socket.reply(to: ref)
            return (try reply.payload.memberString("status"), reply.payload.member("response"))
        }

        /// Pushes and expects ok; returns the response.
        @discardableResult
        func ok(_ event: String, _ payload: JSONValue, ref: String) async throws -> JSONValue {
            let (status, response) = try await push(event, payload, ref: ref)
            guard status == "ok" else { throw TestFailure("\(event) was refused: \(response)") }
            return response
        }

        /// Pushes and returns the refusal's reason.
        func refused(_ event: String, _ payload: JSONValue, ref: String) async throws -> String? {
            let (status, response) = try await push(event, payload, ref: ref)
            #expect(status == "error", "\(event) should have been refused")
            return response.member("reason").stringValue
        }

        func expect(_ event: String) async throws -> PhoenixTestSocket.Frame {
            try await socket.expect(event, topic: topic)
        }
    }

    static func phone(_ user: TestUser, on server: ServerNode) async throws -> Phone {
        let socket = try await server.socket(user)
        let reply = try await socket.join("user:\(user.id)", joinRef: "u")
        #expect(reply.payload.member("status") == "ok")
        return Phone(user: user, socket: socket)
    }

    static func invite(_ caller: Phone, _ conversationId: String, media: JSONValue = "audio") async throws -> String {
        let response = try await caller.ok(CallEvent.invite, ["conversation_id": .string(conversationId), "media": media],
                                           ref: "invite")
        return try response.memberString("call_id")
    }

    /// Ann rings Bob (on `calleeNode`, or the same server) in a room of their own; Bob's phone
    /// has the `call:incoming`.
    static func annRingsBob(on server: ServerNode, calleeNode: ServerNode? = nil)
        async throws -> (caller: Phone, callee: Phone, room: String, callId: String) {
        let ann = try await server.user("ann"), bob = try await server.user("bob")
        let room = try await server.conversation(owner: ann, members: [bob])
        let caller = try await phone(ann, on: server), callee = try await phone(bob, on: calleeNode ?? server)
        let callId = try await invite(caller, room)
        _ = try await callee.expect(CallEvent.incoming)
        return (caller, callee, room, callId)
    }

    // MARK: - Two users

    @Test func aCallRingsIsAcceptedAndHungUpAndALateAcceptIsRefused() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let caller = try await Self.phone(ann, on: server), callee = try await Self.phone(bob, on: server)

            let invited = try await caller.ok(CallEvent.invite, ["conversation_id": .string(room), "media": "video"], ref: "1")
            let callId = try invited.memberString("call_id")
            #expect(invited.member("conversation_id") == .string(room))
            #expect(invited.member("callee_user_ids") == [.string(bob.id)])
            #expect(invited.member("media") == "video")
            let incoming = try await callee.expect(CallEvent.incoming)
            #expect(incoming.payload == ["call_id": .string(callId), "conversation_id": .string(room),
                                         "caller_user_id": .string(ann.id), "media": "video"])

            let call: JSONValue = ["call_id": .string(callId), "conversation_id": .string(room), "caller_user_id": .string(ann.id)]
            try await callee.ok(CallEvent.accept, call, ref: "2")
            let accepted = try await caller.expect(CallEvent.accepted)
            #expect(accepted.payload == ["call_id": .string(callId), "conversation_id": .string(room), "user_id": .string(bob.id)])
            // The callee's own devices hear it too, so they stop ringing.
            _ = try await callee.expect(CallEvent.accepted)

            try await caller.ok(CallEvent.hangup, ["call_id": .string(callId), "conversation_id": .string(room)], ref: "3")
            let ended = try await callee.expect(CallEvent.ended)
            #expect(ended.payload == ["call_id": .string(callId), "conversation_id": .string(room), "user_id": .string(ann.id)])
            #expect(try await callee.refused(CallEvent.accept, call, ref: "4") == "call_ended")
            #expect(try await caller.refused(CallEvent.hangup, ["call_id": .string(callId)], ref: "5") == "call_ended")
        }
    }

    @Test func anAcceptAfterTheCallerCancelledIsRefused() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let caller = try await Self.phone(ann, on: server), callee = try await Self.phone(bob, on: server)
            // Without media the call is audio.
            let invited = try await caller.ok(CallEvent.invite, ["conversation_id": .string(room)], ref: "1")
            #expect(invited.member("media") == "audio")
            let callId = try invited.memberString("call_id")
            _ = try await callee.expect(CallEvent.incoming)

            #expect(try await callee.refused(CallEvent.cancel, ["call_id": .string(callId)], ref: "2") == "forbidden")
            try await caller.ok(CallEvent.cancel, ["call_id": .string(callId), "conversation_id": .string(room)], ref: "3")
            let cancelled = try await callee.expect(CallEvent.cancelled)
            #expect(cancelled.payload.member("caller_user_id") == .string(ann.id))
            #expect(cancelled.payload.member("reason") == "cancelled")
            #expect(try await callee.refused(CallEvent.accept, ["call_id": .string(callId)], ref: "4") == "call_ended")
        }
    }

    @Test func refusedPushesSayWhy() async throws {
        try await ServerFixture.runNode({ $0.calls.maxCallees = 2 }) { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob"), eve = try await server.user("eve")
            let carol = try await server.user("carol"), dan = try await server.user("dan")
            let room = try await server.conversation(owner: ann, members: [bob])
            let crowded = try await server.conversation(owner: ann, members: [bob, carol, dan])
            let alone = try await server.conversation(owner: ann, members: [])
            let outsider = try await Self.phone(eve, on: server), caller = try await Self.phone(ann, on: server)

            #expect(try await outsider.refused(CallEvent.invite, ["conversation_id": .string(room)], ref: "1") == "forbidden")
            #expect(try await caller.refused(CallEvent.invite, ["conversation_id": .string(UUID().uuidString.lowercased())],
                                             ref: "2") == "not_found")
            #expect(try await caller.refused(CallEvent.invite, ["conversation_id": .string(room), "media": "hologram"],
                                             ref: "3") == "invalid_payload")
            #expect(try await caller.refused(CallEvent.invite, ["media": "audio"], ref: "4") == "invalid_payload")
            #expect(try await caller.refused(CallEvent.invite, ["conversation_id": .string(alone)], ref: "5") == "no_callees")
            // Three callees where two are allowed.
            #expect(try await caller.refused(CallEvent.invite, ["conversation_id": .string(crowded)], ref: "6")
                    == "too_many_callees")
            let callId = try await Self.invite(caller, room)
            #expect(try await outsider.refused(CallEvent.accept, ["call_id": .string(callId)], ref: "7") == "forbidden")
            #expect(try await caller.refused(CallEvent.accept, ["call_id": .string(callId)], ref: "8") == "forbidden")
            #expect(try await caller.refused(CallEvent.accept, ["call_id": .string(UUID().uuidString)], ref: "9")
                    == "not_found")
            #expect(try await caller.refused(CallEvent.cancel, ["call_id": .string(callId),
                                                                "conversation_id": .string(crowded)], ref: "10") == "not_found")
            #expect(try await caller.refused("call:teleport", [:], ref: "11") == "unhandled event")
            // Someone else's user topic cannot be joined, so nobody pushes calls as another user.
            let stolen = try await outsider.socket.join("user:\(ann.id)", joinRef: "x")
            #expect(stolen.payload.member("status") == "error")
        }
    }

    @Test func membersWhoBlockTheCallerAreNotRung() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob"), carol = try await server.user("carol")
            let group = try await server.conversation(owner: ann, members: [bob, carol])
            let direct = try await server.ok(.post, "/v1/conversations", token: ann.token, body: [
                "type": "direct", "member_external_ids": [.string(bob.externalId)]]).memberString("id")
            try await server.ok(.post, "/v1/me/blocks", token: bob.token, body: ["user_id": .string(ann.id)])
            let caller = try await Self.phone(ann, on: server), bobPhone = try await Self.phone(bob, on: server)
            let carolPhone = try await Self.phone(carol, on: server)

            let invited = try await caller.ok(CallEvent.invite, ["conversation_id": .string(group)], ref: "1")
            #expect(invited.member("callee_user_ids") == [.string(carol.id)])
            _ = try await carolPhone.expect(CallEvent.incoming)
            #expect(try await caller.refused(CallEvent.invite, ["conversation_id": .string(direct)], ref: "2") == "blocked")
            // Bob heard nothing (Carol's ring and his would have gone out in one batch, before this reply).
            bobPhone.socket.push("phoenix", "heartbeat", ref: "hb")
            let frames = try await bobPhone.socket.collect { $0.event == "phx_reply" && $0.ref == "hb" }
            #expect(!frames.contains { $0.event.hasPrefix("call:") })
        }
    }

    @Test func callPushesCountAgainstTheWriteRate() async throws {
        try await ServerFixture.runNode({ $0.rateLimits.writes = Rate(perSecond: 0.001, burst: 2) }) { server in
            let ann = try await server.user("ann")
            let phone = try await Self.phone(ann, on: server)
            let unknown: JSONValue = ["call_id": .string(UUID().uuidString.lowercased())]
            #expect(try await phone.refused(CallEvent.hangup, unknown, ref: "1") == "not_found")
            #expect(try await phone.refused(CallEvent.hangup, unknown, ref: "2") == "not_found")
            #expect(try await phone.refused(CallEvent.hangup, unknown, ref: "3") == "rate_limited")
        }
    }

    // MARK: - Three users, two nodes

    @Test func threeUsersOnTwoNodesRingDeclineAcceptAndHangUp() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob"), carol = try await a.user("carol")
            let room = try await a.conversation(owner: ann, members: [bob, carol])
            let caller = try await Self.phone(ann, on: a)
            let bobPhone = try await Self.phone(bob, on: b), carolPhone = try await Self.phone(carol, on: b)
            // Bob has a second device on the caller's node: it rings too.
            let bobOtherDevice = try await Self.phone(bob, on: a)

            let invited = try await caller.ok(CallEvent.invite, ["conversation_id": .string(room)], ref: "1")
            let callId = try invited.memberString("call_id")
            #expect(Set(invited.member("callee_user_ids").arrayValue ?? []) == [.string(bob.id), .string(carol.id)])
            for phone in [bobPhone, carolPhone, bobOtherDevice] {
                #expect(try await phone.expect(CallEvent.incoming).payload.member("call_id") == .string(callId))
            }
            let call: JSONValue = ["call_id": .string(callId), "conversation_id": .string(room), "caller_user_id": .string(ann.id)]
            try await bobPhone.ok(CallEvent.decline, call, ref: "2")
            #expect(try await caller.expect(CallEvent.declined).payload.member("user_id") == .string(bob.id))
            #expect(try await bobOtherDevice.expect(CallEvent.declined).payload.member("user_id") == .string(bob.id))
            // Carol's accept, through the other node, makes the call active for everyone.
            try await carolPhone.ok(CallEvent.accept, call, ref: "3")
            #expect(try await caller.expect(CallEvent.accepted).payload.member("user_id") == .string(carol.id))
            #expect(try await bobPhone.refused(CallEvent.accept, call, ref: "4") == "already_answered")

            try await carolPhone.ok(CallEvent.hangup, ["call_id": .string(callId), "conversation_id": .string(room)], ref: "5")
            #expect(try await caller.expect(CallEvent.ended).payload.member("user_id") == .string(carol.id))
            #expect(try await bobPhone.expect(CallEvent.ended).payload.member("call_id") == .string(callId))
        }
    }

    @Test func busyFromTheOnlyCalleeEndsTheCallOnEveryNode() async throws {
        try await ServerFixture.runCluster { cluster in
            let (caller, callee, room, callId) = try await Self.annRingsBob(on: cluster.nodes[0], calleeNode: cluster.nodes[1])
            try await callee.ok(CallEvent.busy, ["call_id": .string(callId)], ref: "2")
            let busy = try await caller.expect(CallEvent.busyEvent)
            #expect(busy.payload == ["call_id": .string(callId), "conversation_id": .string(room),
                                     "user_id": .string(callee.user.id)])
            // Nobody is left to answer: the call is over, whichever node is asked.
            #expect(try await caller.refused(CallEvent.cancel, ["call_id": .string(callId)], ref: "3") == "call_ended")
        }
    }

    // MARK: - Ring-out

    @Test func aCallNobodyAnswersRingsOutAfterSixtySecondsOnTheCallClock() async throws {
        let clock = CallTestClock()
        try await ServerFixture.runNode({
            $0.calls.now = { clock.micros }
            $0.calls.sweepInterval = .milliseconds(20)
        }) { server in
            let (caller, callee, room, callId) = try await Self.annRingsBob(on: server)
            clock.advance(by: .seconds(59))
            // Still ringing after 59 s: an answer is still taken (a decline is, and changes nothing else).
            let second = try await Self.invite(caller, room)
            _ = try await callee.expect(CallEvent.incoming)
            try await callee.ok(CallEvent.decline, ["call_id": .string(second)], ref: "d")
            clock.advance(by: .seconds(1))
            let frames = try await callee.socket.collect { $0.event == CallEvent.cancelled }
            let cancelled = try #require(frames.last)
            #expect(cancelled.payload == ["call_id": .string(callId), "conversation_id": .string(room),
                                          "caller_user_id": .string(caller.user.id), "reason": "no_answer"])
            #expect(try await caller.expect(CallEvent.cancelled).payload.member("call_id") == .string(callId))
            #expect(try await callee.refused(CallEvent.accept, ["call_id": .string(callId)], ref: "late") == "call_ended")
        }
    }

    @Test func anAcceptAfterTheRingTimeoutIsRefusedEvenBeforeTheSweep() async throws {
        let clock = CallTestClock()
        try await ServerFixture.runNode({
            $0.calls.now = { clock.micros }
            // No sweep during the test: the accept itself finds the call rang out.
            $0.calls.sweepInterval = .seconds(3_600)
        }) { server in
            let (caller, callee, _, callId) = try await Self.annRingsBob(on: server)
            clock.advance(by: .seconds(60))
            #expect(try await callee.refused(CallEvent.accept, ["call_id": .string(callId)], ref: "late") == "call_ended")
            #expect(try await caller.expect(CallEvent.cancelled).payload.member("reason") == "no_answer")
        }
    }
}

/// The calls' clock, moved by hand.
final class CallTestClock: Sendable {
    private let now = NIOLockedValueBox<Int64>(WallClock.nowMicros())

    var micros: Int64 { now.withLockedValue { $0 } }

    func advance(by duration: Duration) { now.withLockedValue { $0 += duration.microseconds } }
}

/// The VoIP push payloads an invite leaves for the outbound queue (issue 15 sends them).
@Suite("Calls: VoIP push payloads")
struct CallPushPayloadTests {
    @Test func oneVoIPPayloadPerCalleeWithTheSendTimeInMilliseconds() {
        let call = CallRecord(id: "call", tenantId: "t", conversationId: "room", callerUserId: "ann", media: .video,
                              state: .ringing, ringExpiresAt: 0)
        let pushes = CallService.voipPushes(for: call, callees: ["bob", "carol"], callerName: "Ann",
                                            sentAt: 1_800_000_000_123_456)
        #expect(pushes.map(\.userId) == ["bob", "carol"])
        #expect(pushes.first?.push == PushCall(callId: "call", conversationId: "room", callerUserId: "ann", callerName: "Ann",
                                               media: "video", sentAtMillis: 1_800_000_000_123))
    }
}
