import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// What a socket may join, and how often, over real sockets (PROTOCOL.md §6, docs/realtime.md).
@Suite struct RealtimeJoinLimitTests {
    @Test func reJoinsOfAJoinedTopicDoNotChurnPresence() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = "conversation:\(try await server.conversation(owner: ann, members: [bob]))"
            let peer = try await server.socket(bob)
            try await peer.join(room, joinRef: "1")
            let restless = try await server.socket(ann)
            try await restless.join(room, joinRef: "1")
            let first = try await restless.expect("presence_state")
            let meta = first.payload.member(ann.id)
            _ = try await peer.expect { $0.event == "presence_diff" && $0.payload.member("joins").member(ann.id) != .null }

            for ref in 2...21 {
                restless.push(room, "phx_join", joinRef: "\(ref)", ref: "\(ref)")
                let frames = try await restless.collect { $0.event == "presence_state" && $0.joinRef == .string("\(ref)") }
                // The protocol's re-join: the old join is closed, the new one answered ok.
                let close = frames.first { $0.event == "phx_close" }
                #expect(close?.joinRef == .string("\(ref - 1)"))
                let reply = frames.first { $0.event == "phx_reply" }
                #expect(reply?.payload.member("status") == "ok")
                // The same presence as before: the socket never left.
                #expect(frames.last?.payload.member(ann.id) == meta)
            }
            // Under the last join the topic is live.
            try await server.send("after", in: String(room.dropFirst("conversation:".count)), as: ann)
            _ = try await restless.expect("message:new")
            // The peer saw no leave and join in between: the message comes first.
            let seen = try await peer.collect { $0.event == "message:new" }
            #expect(!seen.contains { $0.event == "presence_diff" }, "\(seen)")
        }
    }

    @Test func aFloodOfReJoinsCostsPeersNothingAndIsCutOffAtTheBurst() async throws {
        // The defect: 1,500 re-joins in 2 s made 3,001 presence frames to each peer. The clock
        // stands still, so no join token comes back during the flood.
        let clock = VirtualGatewayClock()
        try await ServerFixture.runNode({ $0.realtime.clock = clock }) { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let id = try await server.conversation(owner: ann, members: [bob])
            let room = "conversation:\(id)"
            let peer = try await server.socket(bob)
            try await peer.join(room, joinRef: "1")
            let flooder = try await server.socket(ann)
            try await flooder.join(room, joinRef: "1")
            _ = try await peer.expect { $0.event == "presence_diff" && $0.payload.member("joins").member(ann.id) != .null }

            let burst = RealtimeConfiguration().joinRate.burst
            let flood = 150
            for ref in 2...flood { flooder.push(room, "phx_join", joinRef: "\(ref)", ref: "\(ref)") }
            var statuses: [JSONValue] = []
            for ref in 2...flood { statuses.append(try await flooder.reply(to: "\(ref)").payload) }
            // The first join took a token too: `burst - 1` re-joins go through, the rest are refused.
            let accepted = statuses.filter { $0.member("status") == "ok" }.count
            #expect(accepted == Int(burst) - 1)
            #expect(statuses.dropFirst(accepted).allSatisfy { $0 == ["status": "error", "response": ["reason": "rate_limited"]] })

            try await server.send("after the flood", in: id, as: ann)
            let seen = try await peer.collect { $0.event == "message:new" }
            #expect(!seen.contains { $0.event.hasPrefix("presence") }, "\(seen)")
        }
    }

    @Test func joinsOverTheRateAreAnsweredWithAnError() async throws {
        try await ServerFixture.runNode({ $0.realtime.joinRate = Rate(perSecond: 0.001, burst: 3) }) { server in
            let ann = try await server.user("ann")
            let socket = try await server.socket(ann)
            let topic = "user:\(ann.id)"
            for ref in 1...3 {
                #expect(try await socket.join(topic, joinRef: "\(ref)").payload.member("status") == "ok")
            }
            let refused = try await socket.join(topic, joinRef: "4")
            #expect(refused.payload == ["status": "error", "response": ["reason": "rate_limited"]])
            // The join before it still stands.
            socket.push(topic, "phx_leave", joinRef: "3", ref: "5")
            #expect(try await socket.reply(to: "5").payload.member("status") == "ok")
        }
    }

    @Test func topicsBeyondTheCapAreAnsweredWithAnError() async throws {
        try await ServerFixture.runNode({ $0.realtime.maxTopicsPerSocket = 1 }) { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = "conversation:\(try await server.conversation(owner: ann, members: [bob]))"
            let socket = try await server.socket(ann)
            try await socket.join("user:\(ann.id)", joinRef: "1")
            let refused = try await socket.join(room, joinRef: "2")
            #expect(refused.payload == ["status": "error", "response": ["reason": "too_many_topics"]])
            // A re-join of the joined topic is not one more topic.
            #expect(try await socket.join("user:\(ann.id)", joinRef: "3").payload.member("status") == "ok")
            socket.push("user:\(ann.id)", "phx_leave", joinRef: "3", ref: "4")
            _ = try await socket.reply(to: "4")
            #expect(try await socket.join(room, joinRef: "5").payload.member("status") == "ok")
        }
    }
}
