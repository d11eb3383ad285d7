import Foundation
import PoolseWire
import Testing
@testable import PoolseServer

/// How one socket's session routes call and voice pushes, and the voice-push budget: pure, on
/// instants passed in.
@Suite("Calls: pushes in the socket session")
struct CallSessionTests {
    let t0 = ContinuousClock.now
    let conversationId = "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    let userId = "1c9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"

    func push(_ topic: String, _ event: String, ref: String = "2") -> PhoenixFrame {
        PhoenixFrame(joinRef: "1", ref: ref, topic: topic, event: event)
    }

    @Test func callPushesGoToTheCallServiceAndVoicePushesToTheGatewayOnlyOnTheirTopics() {
        var session = SocketSession()
        let user = "user:\(userId)", voice = VoiceEvent.topic(conversationId), conversation = "conversation:\(conversationId)"
        for topic in [user, voice, conversation] { session.joined(topic, joinRef: "1") }
        let invite = push(user, CallEvent.invite)
        #expect(session.receive(invite, at: t0) == [.call(invite)])
        let signal = push(voice, VoiceEvent.signal)
        #expect(session.receive(signal, at: t0) == [.voice(conversationId: conversationId, signal)])
        // Crossed over, they are events nobody handles.
        for frame in [push(voice, CallEvent.invite), push(user, VoiceEvent.join), push(conversation, CallEvent.invite)] {
            #expect(session.receive(frame, at: t0) == [.send(SocketSession.error(frame, "unhandled event"))])
        }
        // Not joined: as for any push.
        var fresh = SocketSession()
        #expect(fresh.receive(invite, at: t0) == [.send(SocketSession.error(invite, "unmatched topic"))])
    }

    @Test func voicePushesBeyondTheSocketsBudgetAreRefusedUntilItRefills() {
        var session = SocketSession(voiceRate: Rate(perSecond: 1, burst: 2))
        let voice = VoiceEvent.topic(conversationId)
        session.joined(voice, joinRef: "1")
        let frame = push(voice, VoiceEvent.activeSpeaker)
        #expect(session.receive(frame, at: t0) == [.voice(conversationId: conversationId, frame)])
        #expect(session.receive(frame, at: t0) == [.voice(conversationId: conversationId, frame)])
        #expect(session.receive(frame, at: t0) == [.send(SocketSession.error(frame, "rate_limited"))])
        #expect(session.receive(frame, at: t0 + .seconds(1)) == [.voice(conversationId: conversationId, frame)])
    }
}
