import PoolseWire
import Testing
@testable import PoolseServer

/// The socket's protocol state machine, without any socket: frames in, actions out.
@Suite struct RealtimeSessionTests {
    let conversation = "conversation:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    let now = ContinuousClock.now

    func frame(_ topic: String, _ event: String, joinRef: String? = nil, ref: String? = "1") -> PhoenixFrame {
        PhoenixFrame(joinRef: joinRef, ref: ref, topic: topic, event: event)
    }

    @Test func heartbeatIsAnsweredOnThePhoenixTopic() {
        var session = SocketSession()
        let heartbeat = frame("phoenix", "heartbeat", ref: "7")
        let actions = session.receive(heartbeat, at: now)
        #expect(actions == [.send(PhoenixFrame(
            joinRef: nil, ref: "7", topic: "phoenix", event: "phx_reply", payload: ["status": "ok", "response": [:]]))])
    }

    @Test func joinAsksTheGatewayAndRemembersTheJoinRefOnceJoined() throws {
        var session = SocketSession()
        let join = frame(conversation, "phx_join", joinRef: "1", ref: "1")
        let topic = try #require(Topic(conversation))
        let actions = session.receive(join, at: now)
        #expect(actions == [.join(topic, request: join)])
        #expect(session.joined.isEmpty)
        session.joined(conversation, joinRef: "1")
        #expect(session.joined == [conversation: "1"])
    }

    @Test func unknownTopicsAreRefusedWithoutAsking() {
        var session = SocketSession()
        for name in ["room:lobby", "conversation:not-a-uuid", "user:", "conversation:0B9F3A52-33F4-4E5A-9A3E-6F1B2C3D4E5F"] {
            let join = frame(name, "phx_join", joinRef: "1", ref: "1")
            let actions = session.receive(join, at: now)
            #expect(actions == [.send(join.reply(status: "error", response: ["reason": "unmatched topic"]))])
        }
    }

    @Test func secondJoinClosesTheFirstWithItsJoinRef() throws {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let again = frame(conversation, "phx_join", joinRef: "5", ref: "5")
        let topic = try #require(Topic(conversation))
        let actions = session.receive(again, at: now)
        // The subscription stays until the gateway has the new join: no presence leave and join.
        #expect(actions == [
            .send(PhoenixFrame(joinRef: "1", ref: "1", topic: conversation, event: "phx_close")),
            .join(topic, request: again),
        ])
    }

    @Test func joinsOverTheRateAreRefusedUntilTheBucketRefills() throws {
        var session = SocketSession(joinRate: Rate(perSecond: 2, burst: 3), maxTopics: 100)
        let topic = try #require(Topic(conversation))
        for ref in 1...3 {
            let join = frame(conversation, "phx_join", joinRef: "\(ref)", ref: "\(ref)")
            #expect(session.receive(join, at: now).last == .join(topic, request: join))
            session.joined(conversation, joinRef: "\(ref)")
        }
        let over = frame(conversation, "phx_join", joinRef: "4", ref: "4")
        #expect(session.receive(over, at: now) == [.send(over.reply(status: "error", response: ["reason": "rate_limited"]))])
        // Refused, so the existing join stands.
        #expect(session.joined == [conversation: "3"])
        // Refused joins count too (a topic that does not exist costs a token like any other).
        let unknown = frame("room:lobby", "phx_join", joinRef: "5", ref: "5")
        #expect(session.receive(unknown, at: now) == [.send(unknown.reply(status: "error", response: ["reason": "rate_limited"]))])
        // Two a second: one token is back after half a second.
        let later = frame(conversation, "phx_join", joinRef: "6", ref: "6")
        #expect(session.receive(later, at: now + .milliseconds(500)).last == .join(topic, request: later))
        let tooSoon = frame(conversation, "phx_join", joinRef: "7", ref: "7")
        #expect(session.receive(tooSoon, at: now + .milliseconds(600)).count == 1)
    }

    @Test func joinsBeyondTheTopicCapAreRefusedButReJoinsAreNot() throws {
        var session = SocketSession(joinRate: Rate(perSecond: 100, burst: 100), maxTopics: 2)
        let first = "user:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
        session.joined(first, joinRef: "1")
        session.joined(conversation, joinRef: "2")
        let third = frame("conversation:1c9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f", "phx_join", joinRef: "3", ref: "3")
        #expect(session.receive(third, at: now) == [.send(third.reply(status: "error", response: ["reason": "too_many_topics"]))])
        let again = frame(conversation, "phx_join", joinRef: "4", ref: "4")
        let topic = try #require(Topic(conversation))
        #expect(session.receive(again, at: now).last == .join(topic, request: again))
        // After a leave there is room again.
        session.joined(conversation, joinRef: "4")
        _ = session.receive(frame(first, "phx_leave", joinRef: "1", ref: "5"), at: now)
        let fourth = frame("conversation:1c9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f", "phx_join", joinRef: "6", ref: "6")
        #expect(session.receive(fourth, at: now) == [.join(try #require(Topic(fourth.topic)), request: fourth)])
    }

    @Test func leaveRepliesThenCloses() {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let leave = frame(conversation, "phx_leave", joinRef: "1", ref: "3")
        let actions = session.receive(leave, at: now)
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
            let actions = session.receive(push, at: now)
            #expect(actions == [.send(push.reply(status: "error", response: ["reason": "unmatched topic"]))])
        }
    }

    @Test func typingOnAJoinedConversationIsAcknowledgedAndPassedOn() {
        var session = SocketSession()
        session.joined(conversation, joinRef: "1")
        let typing = frame(conversation, "typing", joinRef: "1", ref: "4")
        let actions = session.receive(typing, at: now)
        #expect(actions == [
            .typing(conversationId: "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"), .send(typing.reply(status: "ok")),
        ])
    }

    @Test func unknownEventsOnJoinedTopicsAreErrors() {
        var session = SocketSession()
        let user = "user:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
        session.joined(user, joinRef: "2")
        let typing = frame(user, "typing", joinRef: "2", ref: "4")
        let actions = session.receive(typing, at: now)
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
        let actions = session.receive(leave, at: now)
        #expect(actions.last == .send(PhoenixFrame(joinRef: nil, ref: nil, topic: conversation,
                                                                    event: "phx_close")))
    }
}
