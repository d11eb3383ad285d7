import Foundation
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// `typing` pushes, `typing:start`/`typing:stop` to peers only, with injected timeouts.
@Suite struct RealtimeTypingTests {
    /// Ann (two sockets) and Bob in one conversation, every socket joined.
    func room(_ server: ServerNode) async throws
        -> (ann: TestUser, bob: TestUser, topic: String,
            annSocket: PhoenixTestSocket, annOther: PhoenixTestSocket, bobSocket: PhoenixTestSocket) {
        let ann = try await server.user("ann"), bob = try await server.user("bob")
        let topic = "conversation:\(try await server.conversation(owner: ann, members: [bob]))"
        let annSocket = try await server.socket(ann), annOther = try await server.socket(ann)
        let bobSocket = try await server.socket(bob)
        for socket in [annSocket, annOther, bobSocket] { try await socket.join(topic, joinRef: "1") }
        return (ann, bob, topic, annSocket, annOther, bobSocket)
    }

    @Test func peersGetStartThenStopAfterTheTimeoutAndTheTypistGetsNeither() async throws {
        // The default 5 s, on a clock the test moves.
        let clock = VirtualGatewayClock()
        try await ServerFixture.runNode({ $0.realtime.clock = clock }) { server in
            let (ann, bob, topic, annSocket, annOther, bobSocket) = try await room(server)
            annSocket.push(topic, "typing", joinRef: "1", ref: "5")
            let typingReply = try await annSocket.reply(to: "5")
            #expect(typingReply.payload == ["status": "ok", "response": [:]])
            let start = try await bobSocket.expect("typing:start")
            #expect(start.topic == topic)
            #expect(start.payload == ["user_id": .string(ann.id), "external_id": "ann"])
            clock.advance(by: .seconds(5))
            let stop = try await bobSocket.expect("typing:stop")
            #expect(stop.payload == start.payload)

            // Nothing of it reached either of Ann's sockets: they get the sentinel message with no typing before it.
            try await server.send("sentinel", in: String(topic.dropFirst("conversation:".count)), as: bob)
            for socket in [annSocket, annOther] {
                let frames = try await socket.collect { $0.event == "message:new" }
                let sawTyping = frames.contains { $0.event.hasPrefix("typing") }
                #expect(!sawTyping, "\(frames)")
            }
        }
    }

    @Test func sendingAMessageStopsTypingAtOnce() async throws {
        // A timeout far beyond the test's waits: any stop seen can only come from the message.
        try await ServerFixture.runNode({ $0.realtime.typingTimeout = .seconds(600) }) { server in
            let (ann, _, topic, annSocket, _, bobSocket) = try await room(server)
            annSocket.push(topic, "typing", joinRef: "1", ref: "5")
            _ = try await bobSocket.expect("typing:start")
            let sent = try await server.send("done typing", in: String(topic.dropFirst("conversation:".count)), as: ann)
            let frames = try await bobSocket.collect { $0.event == "typing:stop" }
            let new = frames.first { $0.event == "message:new" }
            #expect(new?.payload == sent)
            #expect(frames.last?.payload.member("user_id") == .string(ann.id))
        }
    }

    @Test func repeatedTypingKeepsOneStartAndPushesOverTheLimitAreDroppedSilently() async throws {
        let clock = VirtualGatewayClock()
        try await ServerFixture.runNode({
            $0.realtime.clock = clock
            $0.rateLimits.typing = Rate(perSecond: 0.001, burst: 2)
        }) { server in
            let (ann, bob, topic, annSocket, _, bobSocket) = try await room(server)
            // Two allowed pushes make one typing spell; the rest are over the limit.
            for ref in 10..<16 { annSocket.push(topic, "typing", joinRef: "1", ref: "\(ref)") }
            for ref in 10..<16 {
                let reply = try await annSocket.reply(to: "\(ref)")
                #expect(reply.payload.member("status") == "ok")
            }
            // Every push reached the gateway before its reply went out; the spell ends 5 s on.
            clock.advance(by: .seconds(5))
            let spell = try await bobSocket.collect { $0.event == "typing:stop" }
            let starts = spell.filter { $0.event == "typing:start" }.count
            #expect(starts == 1)

            annSocket.push(topic, "typing", joinRef: "1", ref: "20")
            let droppedReply = try await annSocket.reply(to: "20")
            #expect(droppedReply.payload.member("status") == "ok")
            try await server.send("sentinel", in: String(topic.dropFirst("conversation:".count)), as: ann)
            let after = try await bobSocket.collect { $0.event == "message:new" }
            let startedAgain = after.contains { $0.event == "typing:start" }
            #expect(!startedAgain, "\(after)")
            _ = bob
        }
    }

    @Test func leavingEndsTheTypistsTyping() async throws {
        try await ServerFixture.runNode({ $0.realtime.typingTimeout = .seconds(600) }) { server in
            let (ann, _, topic, annSocket, annOther, bobSocket) = try await room(server)
            annSocket.push(topic, "typing", joinRef: "1", ref: "5")
            _ = try await bobSocket.expect("typing:start")
            annSocket.close()
            annOther.push(topic, "phx_leave", joinRef: "1", ref: "6")
            let stop = try await bobSocket.expect("typing:stop")
            #expect(stop.payload.member("user_id") == .string(ann.id))
        }
    }
}
