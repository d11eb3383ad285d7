import PoolseWire
import Testing
@testable import PoolseServer

/// The socket's protocol state machine, without any socket: frames in, actions out.
@Suite struct RealtimeSessionTests {
    let conversation = "conversation:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"

    func frame(_ topic: String, _ event: String, joinRef: String? = nil, ref: String? = "1") -> PhoenixFrame {
        PhoenixFrame(joinRef: joinRef, ref: ref, topic: topic, event: event)
    }

    @Test func heartbeatIsAnsweredOnThePhoenixTopic() {
        var session = SocketSession()
        let heartbeat = frame("phoenix", "heartbeat", ref: "7")
        let actions = session.receive(heartbeat)
        #expect(actions == [.send(PhoenixFrame(
            joinRef: nil, ref: "7", topic: "phoenix", event: "phx_reply", payload: ["status": "ok", "response": [:]]))])
    }

    @Test func joinAsksTheGatewayAndRemembersTheJoinRefOnceJoined() throws {
        var session = SocketSession()
        let join = frame(conversation, "phx_join", joinRef: "1", ref: "1")
        let topic = try #require(Topic(conversation))
        let actions = session.receive(join)
        #expect(actions == [.join(topic, request: join)])
        #expect(session.joined.isEmpty)
        session.joined(conversation, joinRef: "1")
        #expect(session.joined == [conversation: "1"])
    }

    @Test func unknownTopicsAreRefusedWithoutAsking() {
        var session = SocketSession()
        for name in ["room:lobby", "conversation:not-a-uuid", "user:", "conversation:0B9F3A52-33F4-4E5A-9A3E-6F1B2C3D4E5F"] {
            let join = frame(name, "phx_join", joinRef: "1", ref: "1")
            let actions = session.receive(join)
            #expect(actions == [.send(join.reply(status: "error", response: ["reason": "unmatched topic"]))])
        }
    }

    @Test func secondJoinClosesTheFirstWithItsJoinRef() throws {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let again = frame(conversation, "phx_join", joinRef: "5", ref: "5")
        let topic = try #require(Topic(conversation))
        let actions = session.receive(again)
        #expect(actions == [
            .unsubscribe(topic: conversation),
            .send(PhoenixFrame(joinRef: "1", ref: "1", topic: conversation, event: "phx_close")),
            .join(topic, request: again),
        ])
    }

    @Test func leaveRepliesThenCloses() {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let leave = frame(conversation, "phx_leave", joinRef: "1", ref: "3")
        let actions = session.receive(leave)
        #expect(actions == [
            .unsubscribe(topic: conversation),
            .send(leave.reply(status: "ok")),
            .send(PhoenixFrame(joinRef: "1", ref: "1", topic: conversation, event: "phx_close")),
        ])
        #expect(session.joined.isEmpty)
    }

    @Test func pushesToTopicsNotJoinedGetAnErrorReply() {
        var session = SocketSession()
        for event in ["typing", "phx_leave", "anything"] {
            let push = frame(conversation, event, joinRef: "1", ref: "9")
            let actions = session.receive(push)
            #expect(actions == [.send(push.reply(status: "error", response: ["reason": "unmatched topic"]))])
        }
    }

    @Test func typingOnAJoinedConversationIsAcknowledgedAndPassedOn() {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let typing = frame(conversation, "typing", joinRef: "1", ref: "4")
        let actions = session.receive(typing)
        #expect(actions == [
            .typing(conversationId: "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"), .send(typing.reply(status: "ok")),
        ])
    }

    @Test func unknownEventsOnJoinedTopicsAreErrors() {
        var session = SocketSession()
        let user = "user:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
        session.joined(user, joinRef: "2")
        let typing = frame(user, "typing", joinRef: "2", ref: "4")
        let actions = session.receive(typing)
        #expect(actions == [.send(typing.reply(status: "error", response: ["reason": "unhandled event"]))])
    }

    @Test func aKickForgetsTheTopicUnlessItWasJoinedAgain() {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        session.kicked(from: conversation, joinRef: "0")
        #expect(session.joined == [conversation: "1"])
        session.kicked(from: conversation, joinRef: "1")
        #expect(session.joined.isEmpty)
    }

    @Test func aNullJoinRefIsKeptAsJoined() {
        var session = SocketSession()
        session.joined(conversation, joinRef: nil)
        #expect(session.joined.keys.contains(conversation))
        let leave = frame(conversation, "phx_leave", ref: "2")
        let actions = session.receive(leave)
        #expect(actions.last == .send(PhoenixFrame(joinRef: nil, ref: nil, topic: conversation,
                                                                    event: "phx_close")))
    }
}
