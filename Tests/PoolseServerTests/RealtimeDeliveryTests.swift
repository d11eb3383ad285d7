import Foundation
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// Ordering, removals, blocks and slow readers.
@Suite struct RealtimeDeliveryTests {
    @Test func aBurstOfConcurrentSendsArrivesInSequenceOrder() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob"), carol = try await server.user("carol")
            let room = try await server.conversation(owner: ann, members: [bob, carol])
            let socket = try await server.socket(carol)
            try await socket.join("conversation:\(room)", joinRef: "1")
            let count = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { try await server.send("m\(index)", in: room, as: index.isMultiple(of: 2) ? ann : bob) }
                }
                try await group.waitForAll()
            }
            var sequences: [Int] = []
            while sequences.count < count {
                let frame = try await socket.expect("message:new")
                guard case .number(let sequence) = frame.payload.member("sequence") else {
                    throw TestFailure("no sequence in \(frame)")
                }
                sequences.append(Int(sequence))
            }
            #expect(sequences == Array(1...count))
        }
    }

    @Test func aRemovedMemberIsClosedOutAtOnceAndHearsNothingMore() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let topic = "conversation:\(room)"
            let annSocket = try await server.socket(ann)
            try await annSocket.join(topic, joinRef: "1")
            let bobSocket = try await server.socket(bob)
            try await bobSocket.join(topic, joinRef: "4")
            try await bobSocket.join("user:\(bob.id)", joinRef: "5")

            try await server.ok(.delete, "/v1/conversations/\(room)/members/\(bob.id)", token: ann.token)
            let close = try await bobSocket.expect("phx_close", topic: topic)
            #expect(close.joinRef == "4")
            #expect(close.payload == [:])
            // The others see him leave.
            let left = try await annSocket.expectPresenceLeave()
            #expect(left.payload.member("leaves").objectValue?.keys.first == bob.id)

            try await server.send("after bob", in: room, as: ann)
            // A later event on his user topic: anything from the room would have come before it.
            _ = try await server.conversation(owner: ann, members: [bob])
            let frames = try await bobSocket.collect { $0.event == "conversation:created" }
            let heardFromRoom = frames.contains { $0.topic == topic }
            #expect(!heardFromRoom, "\(frames)")
            // And he cannot come back.
            #expect(try await bobSocket.join(topic, joinRef: "6").payload.member("status") == "error")
            // A push under the old join is refused: the server forgot the topic.
            bobSocket.push(topic, "typing", joinRef: "4", ref: "7")
            let refusedPush = try await bobSocket.reply(to: "7")
            #expect(refusedPush.payload.member("status") == "error")
        }
    }

    @Test func aBlockedUserIsClosedOutAndDisconnected() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let bobSocket = try await server.socket(bob)
            try await bobSocket.join("conversation:\(room)", joinRef: "1")
            try await bobSocket.join("user:\(bob.id)", joinRef: "2")
            let annSocket = try await server.socket(ann)
            try await annSocket.join("conversation:\(room)", joinRef: "1")

            try await server.ok(.patch, "/v1/users/\(bob.id)", token: nil, body: ["is_blocked": true])
            let frames = try await bobSocket.expectClosed()
            let closes = frames.filter { $0.event == "phx_close" }
            #expect(Set(closes.map(\.topic)) == ["conversation:\(room)", "user:\(bob.id)"])
            let closesCarryTheirJoinRef = closes.allSatisfy { $0.joinRef == $0.ref }
            #expect(closesCarryTheirJoinRef)
            _ = try await annSocket.expectPresenceLeave()
            let reconnected = await server.canConnect(query: "token=\(bob.token)&vsn=2.0.0")
            #expect(!reconnected)
        }
    }

    @Test func aSlowReaderIsDisconnectedWithoutHoldingUpOthers() async throws {
        let queueLimit = 64, batch = 32
        try await ServerFixture.runNode({ $0.realtime.outboundQueueLimit = queueLimit }) { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let topic = "conversation:\(room)"
            let fast = try await server.socket(ann)
            try await fast.join(topic, joinRef: "1")
            let slow = try await server.socket(bob, reading: false)
            slow.push(topic, "phx_join", joinRef: "1", ref: "1")
            // Bob's join reaches the gateway (ann sees him arrive) although he reads nothing.
            _ = try await fast.expect { $0.event == "presence_diff" && $0.payload.member("joins").objectValue?[bob.id] != nil }

            // Big events straight through the pub/sub until the slow socket is cut; the fast one
            // must get every one of them, in order, meanwhile. A batch fits in a queue, and the
            // fast reader empties its queue before the next batch.
            let padding = JSONValue.string(String(repeating: "x", count: 32_000))
            var published = 0
            while await server.app.gateway.socketCount == 2 {
                guard published < 8_000 else { throw TestFailure("the slow socket was never cut") }
                let messages = (published..<published + batch).map {
                    RealtimeMessage(topic: topic, event: "bulk", payload: ["n": .number(Double($0)), "pad": padding])
                }
                await server.app.pubsub.publish(messages)
                for expected in published..<published + batch {
                    let frame = try await fast.expect("bulk")
                    #expect(frame.payload.member("n") == .number(Double(expected)))
                }
                published += batch
            }
            try await fast.heartbeat(ref: "2")

            // The slow reader gets what was already on its way, then the end.
            slow.startReading()
            let got = try await slow.expectClosed(timeout: .seconds(60)).filter { $0.event == "bulk" }.count
            #expect(got < published)
        }
    }
}
