import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Voice rooms over real sockets (`voice:conversation:<id>`, docs/calls.md), on one node and
/// across two.
@Suite("Calls: voice rooms", .serialized)
struct VoiceRoomTests {
    /// Opens a socket, joins the room's topic and sends `voice:join`; returns the socket.
    static func enter(_ user: TestUser, _ conversationId: String,
                      on server: ServerNode) async throws -> PhoenixTestSocket {
        let socket = try await server.socket(user)
        let topic = VoiceEvent.topic(conversationId)
        let reply = try await socket.join(topic, joinRef: "v")
        #expect(reply.payload.member("status") == "ok")
        _ = try await socket.expect(VoiceEvent.presenceState, topic: topic)
        socket.push(topic, VoiceEvent.join, joinRef: "v", ref: "join", payload: #"{"muted":false,"speaking":false}"#)
        #expect(try await socket.reply(to: "join").payload.member("status") == "ok")
        // The joiner's own `voice:joined` comes right after the room's state.
        let frames = try await socket.collect { $0.event == VoiceEvent.joined }
        #expect(frames.map(\.event) == [VoiceEvent.presenceState, VoiceEvent.joined])
        #expect(frames.last?.payload.member("user_id") == .string(user.id))
        #expect(frames.last?.payload.member("mute_state") == false)
        return socket
    }

    @Test func aNonMemberCannotJoinTheVoiceRoom() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), eve = try await server.user("eve")
            let room = try await server.conversation(owner: ann, members: [])
            let socket = try await server.socket(eve)
            let reply = try await socket.join(VoiceEvent.topic(room), joinRef: "v")
            #expect(reply.payload == ["status": "error", "response": ["reason": "unauthorized"]])
            // A topic that is not a conversation id is no room at all.
            let bogus = try await socket.join("voice:conversation:nope", joinRef: "w")
            #expect(bogus.payload.member("response").member("reason") == "unmatched topic")
        }
    }

    @Test func presenceSignalsAndLeavesCrossNodesAndSignalsReachOnlyTheirTarget() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob"), carol = try await a.user("carol")
            let room = try await a.conversation(owner: ann, members: [bob, carol])
            let topic = VoiceEvent.topic(room)
            let annSocket = try await Self.enter(ann, room, on: a)
            let bobSocket = try await Self.enter(bob, room, on: b)
            #expect(try await annSocket.expect(VoiceEvent.joined).payload.member("user_id") == .string(bob.id))

            // Carol joins on node A and sees both, though Bob is on node B.
            let carolSocket = try await a.socket(carol)
            try await carolSocket.join(topic, joinRef: "v")
            let state = try await carolSocket.expect(VoiceEvent.presenceState)
            #expect(Set(state.payload.objectValue?.keys.map { $0 } ?? []) == [ann.id, bob.id])
            #expect(state.payload.member(bob.id).member("metas").arrayValue?.first?.member("mute_state") == false)
            carolSocket.push(topic, VoiceEvent.join, joinRef: "v", ref: "j")
            _ = try await carolSocket.reply(to: "j")

            // Ann offers to Bob: Bob, on the other node, gets it; Carol does not.
            annSocket.push(topic, VoiceEvent.signal, joinRef: "v", ref: "s1",
                           payload: #"{"type":"offer","target_user_id":"\#(bob.id)","data":{"sdp":"v=0"}}"#)
            #expect(try await annSocket.reply(to: "s1").payload.member("status") == "ok")
            let signal = try await bobSocket.expect(VoiceEvent.signal)
            #expect(signal.payload == ["from_user_id": .string(ann.id), "target_user_id": .string(bob.id), "type": "offer",
                                       "data": ["sdp": "v=0"]])
            // Bob's mute reaches Carol; had Ann's offer reached her, it would come before it.
            bobSocket.push(topic, VoiceEvent.mute, joinRef: "v", ref: "m", payload: #"{"muted":true}"#)
            let seen = try await carolSocket.collect { $0.event == VoiceEvent.mute }
            #expect(!seen.contains { $0.event == VoiceEvent.signal })
            #expect(seen.last?.payload == ["user_id": .string(bob.id), "muted": true])

            // Refusals: no data, a target outside the room.
            let dan = try await a.user("dan")
            annSocket.push(topic, VoiceEvent.signal, joinRef: "v", ref: "s2",
                           payload: #"{"type":"answer","target_user_id":"\#(bob.id)","data":""}"#)
            #expect(try await annSocket.reply(to: "s2").payload.member("response") == ["reason": "empty_signal"])
            #expect(try await annSocket.expect(VoiceEvent.error).payload == ["reason": "empty_signal"])
            annSocket.push(topic, VoiceEvent.signal, joinRef: "v", ref: "s3",
                           payload: #"{"type":"offer","target_user_id":"\#(dan.id)","data":{"sdp":"v=0"}}"#)
            #expect(try await annSocket.reply(to: "s3").payload.member("response") == ["reason": "target_not_in_room"])

            // Bob's socket dies: everyone left in the room hears he left.
            bobSocket.close()
            #expect(try await annSocket.expect(VoiceEvent.left).payload == ["user_id": .string(bob.id)])
            #expect(try await carolSocket.expect(VoiceEvent.left).payload == ["user_id": .string(bob.id)])
        }
    }
}
