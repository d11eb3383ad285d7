import Foundation
import Poolse
import PoolseServer
import PoolseTestSupport
import Testing

/// `chat.calls` against a real server on loopback: ringing, the voice room's signalling, and
/// what a server without TURN or SFU answers.
@Suite("SDK ↔ server, calls")
struct SDKCallsEndToEndTests {
    @Test func twoUsersRingTalkThroughTheVoiceRoomAndHangUp() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let alice = server.client(for: "alice"), bob = server.client(for: "bob")
            defer {
                alice.destroy()
                bob.destroy()
            }
            let aliceID = try await alice.me.show().id
            let bobID = try await bob.me.show().id
            let group = try await alice.conversations.create(.init(type: .group, name: "Call", memberExternalIds: ["bob"]))

            let incoming = Collected<CallIncomingEvent>(), ended = Collected<CallUserEvent>()
            let accepted = Collected<CallSignalEvent>()
            _ = bob.calls.onIncoming(incoming.append)
            _ = bob.calls.onEnded(ended.append)
            _ = alice.calls.onEvent(accepted.append)
            try await bob.calls.waitUntilListening()
            try await alice.calls.waitUntilListening()

            let invitation = try await alice.calls.invite(group.id, media: .video)
            #expect(invitation.calleeUserIds == [bobID])
            #expect(invitation.media == .video)
            var (call, _) = CallStateMachine.outgoing(invitation, userId: aliceID, now: .now)
            try await eventually("call:incoming") { incoming.all.map(\.callId) == [invitation.callId] }
            let ringing = try #require(incoming.all.first)
            #expect(ringing.callerUserId == aliceID)
            try await bob.calls.accept(ringing)
            try await eventually("call:accepted") { accepted.all.contains { if case .accepted = $0 { true } else { false } } }
            for event in accepted.all { _ = call.receive(event) }
            #expect(call.phase == .connecting)

            // The WebRTC offer goes through the voice room to Bob only.
            let aliceRoom = alice.calls.voiceRoom(group.id), bobRoom = bob.calls.voiceRoom(group.id)
            let signals = Collected<VoiceSignal>(), joined = Collected<String>()
            _ = bobRoom.onSignal(signals.append)
            _ = aliceRoom.onJoined(joined.append)
            try await aliceRoom.waitUntilJoined()
            try await bobRoom.waitUntilJoined()
            try await aliceRoom.join(muted: false)
            try await bobRoom.join(muted: true)
            try await eventually("bob in the room") { joined.all.contains(bobID) }
            #expect(aliceRoom.participants[bobID]?.metas.first?.muteState == true)
            try await aliceRoom.signal(to: bobID, type: .offer, data: ["sdp": "v=0"])
            try await eventually("the offer") { signals.all.count == 1 }
            #expect(signals.all.first == VoiceSignal(fromUserId: aliceID, targetUserId: bobID, type: "offer", data: ["sdp": "v=0"]))
            await #expect(throws: RealtimeError.self) { try await aliceRoom.signal(to: bobID, type: .answer, data: "") }
            do {
                try await aliceRoom.signal(to: "no-such-user", type: .offer, data: ["sdp": "v=0"])
                Issue.record("a signal to someone outside the room was accepted")
            } catch let error as RealtimeError {
                #expect(error.code == .pushRejected)
                #expect(error.reason == "target_not_in_room")
            }

            // This server has neither TURN nor an SFU.
            #expect(try await alice.calls.iceServers() == IceServersResponse(iceServers: [], ttlSeconds: 86_400))
            #expect(try await alice.calls.callToken(group.id) == nil)

            try await alice.calls.hangUp(callId: invitation.callId, conversationId: group.id)
            try await eventually("call:ended") { ended.all.map(\.userId) == [aliceID] }
            do {
                try await bob.calls.accept(ringing)
                Issue.record("an accept after the hang-up was accepted")
            } catch let error as RealtimeError {
                #expect(error.reason == "call_ended")
            }
        }
    }
}
