import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Realtime across nodes: sockets on one node hear what is done through another. On PostgreSQL
/// (`POOLSE_TEST_POSTGRES_URL`) events travel through `PostgresPubSub`; on SQLite the nodes of a
/// `ServerFixture` share one in-process pub/sub, so the same tests run and pass on both.
@Suite("Realtime across nodes", .serialized)
struct MultiNodeRealtimeTests {
    @Test func aMessageSentThroughOneNodeReachesASocketOnAnother() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let socket = try await b.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")

            let sent = try await a.send("hello from a", in: room, as: ann)
            let frame = try await socket.expect("message:new")
            #expect(frame.topic == "conversation:\(room)")
            #expect(frame.payload.member("id") == sent.member("id"))
            #expect(frame.payload.member("body") == "hello from a")
            #expect(frame.payload.member("sender_id") == .string(ann.id))
            #expect(frame.payload.member("sequence") == 1)
        }
    }

    @Test func aMessageTooLargeForANotificationStillCrossesNodes() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let socket = try await b.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")

            // Over PostgreSQL's 8000-byte NOTIFY limit once wrapped: it travels by reference.
            let body = String(repeating: "é", count: 7_990)
            try await a.send(body, in: room, as: ann)
            let frame = try await socket.expect("message:new")
            #expect(frame.payload.member("body") == .string(body))
        }
    }

    @Test func aBurstSplitAcrossBothNodesArrivesInSequenceOrderOnEach() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob"), carol = try await a.user("carol")
            let room = try await a.conversation(owner: ann, members: [bob, carol])
            let onA = try await a.socket(carol), onB = try await b.socket(carol)
            try await onA.join("conversation:\(room)", joinRef: "1")
            try await onB.join("conversation:\(room)", joinRef: "1")
            let count = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    let node = cluster.nodes[index % 2]
                    group.addTask { try await node.send("m\(index)", in: room, as: index % 3 == 0 ? ann : bob) }
                }
                try await group.waitForAll()
            }
            for socket in [onA, onB] {
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
    }

    @Test func presenceAndTypingCrossNodes() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let topic = "conversation:\(room)"
            let annSocket = try await a.socket(ann)
            try await annSocket.join(topic, joinRef: "1")
            let bobSocket = try await b.socket(bob)
            try await bobSocket.join(topic, joinRef: "1")

            // Bob, on B, learns of Ann on A: in his presence_state, or in a diff right after it.
            _ = try await bobSocket.expect { frame in
                (frame.event == "presence_state" && frame.payload.member(ann.id) != .null)
                    || (frame.event == "presence_diff" && frame.payload.member("joins").member(ann.id) != .null)
            }
            // Ann, on A, sees Bob join on B.
            let joined = try await annSocket.expect {
                $0.event == "presence_diff" && $0.payload.member("joins").member(bob.id) != .null
            }
            #expect(joined.payload.member("joins").member(bob.id).member("metas").arrayCount == 1)

            annSocket.push(topic, "typing", joinRef: "1", ref: "2")
            let typing = try await bobSocket.expect("typing:start", topic: topic)
            #expect(typing.payload.member("user_id") == .string(ann.id))

            // Bob leaves: Ann sees the leave from the other node.
            bobSocket.push(topic, "phx_leave", joinRef: "1", ref: "3")
            let left = try await annSocket.expectPresenceLeave()
            #expect(left.payload.member("leaves").member(bob.id) != .null)
        }
    }

    @Test func presenceOfAStoppedNodeDisappears() async throws {
        // The default 5 s heartbeat and 15 s timeout, on one clock for both nodes that the test moves.
        let clock = VirtualGatewayClock()
        try await ServerFixture.runCluster({ $0.realtime.clock = clock }) { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let topic = "conversation:\(room)"
            let annSocket = try await a.socket(ann)
            try await annSocket.join(topic, joinRef: "1")
            let bobSocket = try await b.socket(bob)
            try await bobSocket.join(topic, joinRef: "1")
            _ = try await annSocket.expect {
                $0.event == "presence_diff" && $0.payload.member("joins").member(bob.id) != .null
            }

            await cluster.stop(1)
            // Whether B said goodbye or just went silent, Ann sees Bob leave once the timeout has
            // passed since B was last heard. A notification of B's still on its way when the clock
            // moves counts as hearing B then, so the clock moves again until the leave comes.
            var left: PhoenixTestSocket.Frame?
            for _ in 0..<5 where left == nil {
                clock.advance(by: .seconds(16))
                left = try? await annSocket.expectPresenceLeave(timeout: .seconds(3))
            }
            #expect(left?.payload.member("leaves").member(bob.id) != .null)
        }
    }

    @Test func deliveryResumesAfterTheListeningConnectionIsCut() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let socket = try await b.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")
            try await a.send("before", in: room, as: ann)
            _ = try await socket.expect("message:new")

            let cut = try await cluster.cutListeners()
            if cluster.postgresURL != nil { #expect(cut == 2) }
            // Events published while a listener is down are gone for its node; once it is back,
            // they flow again. Send until one arrives.
            var arrived = false
            for attempt in 0..<20 where !arrived {
                try await a.send("after \(attempt)", in: room, as: ann)
                arrived = (try? await socket.expect("message:new", timeout: .milliseconds(500))) != nil
            }
            #expect(arrived)
        }
    }

    @Test func aKickThroughOneNodeClosesTheTopicOnAnother() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let topic = "conversation:\(room)"
            let bobSocket = try await b.socket(bob)
            try await bobSocket.join(topic, joinRef: "4")

            try await a.ok(.delete, "/v1/conversations/\(room)/members/\(bob.id)", token: ann.token)
            let close = try await bobSocket.expect("phx_close", topic: topic)
            #expect(close.joinRef == "4")
            #expect(try await bobSocket.join(topic, joinRef: "5").payload.member("status") == "error")
        }
    }

    @Test func stoppingANodeMidTrafficLosesNoAcknowledgedMessage() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let socket = try await a.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")

            let total = 60
            /// Sends message `index` through its node; its id once acknowledged. A request caught by
            /// the stopping node may never be answered: it is given up after 5 s (unstructured tasks,
            /// so a hung request cannot hold the test).
            @Sendable func send(_ index: Int) async -> String? {
                let node = cluster.nodes[index % 2]
                let (answers, answer) = AsyncStream<String?>.makeStream()
                let request = Task {
                    let result = try? await node.call(.post, "/v1/conversations/\(room)/messages",
                                                      token: ann.token, body: ["body": .string("m\(index)")])
                    answer.yield(result?.status == 201 ? try? result?.json.memberString("id") : nil)
                }
                let timer = Task {
                    try? await Task.sleep(for: .seconds(5))
                    answer.yield(nil)
                }
                var iterator = answers.makeAsyncIterator()
                let first = await iterator.next() ?? nil
                request.cancel()
                timer.cancel()
                return first
            }
            // The first half while both nodes run: every one is acknowledged.
            var acknowledged = await withTaskGroup(of: String?.self) { group in
                for index in 0..<(total / 2) { group.addTask { await send(index) } }
                return await group.reduce(into: Set<String>()) { if let id = $1 { $0.insert(id) } }
            }
            #expect(acknowledged.count == total / 2)
            // The second half in flight while B stops: those through B may or may not be.
            acknowledged.formUnion(await withTaskGroup(of: String?.self) { group in
                for index in (total / 2)..<total { group.addTask { await send(index) } }
                group.addTask {
                    await cluster.stop(1)
                    return nil
                }
                return await group.reduce(into: Set<String>()) { if let id = $1 { $0.insert(id) } }
            })
            #expect(acknowledged.count >= total / 2)

            let page = try await a.ok(.get, "/v1/conversations/\(room)/messages?limit=100", token: ann.token)
            guard case .array(let stored) = page.member("data") else { throw TestFailure("no data in \(page)") }
            let ids = Set(stored.compactMap { $0.member("id").stringValue })
            #expect(acknowledged.isSubset(of: ids))
            let sequences = stored.compactMap { message -> Int? in
                guard case .number(let sequence) = message.member("sequence") else { return nil }
                return Int(sequence)
            }.sorted()
            #expect(sequences == Array(1...stored.count))

            // The socket on the surviving node heard every acknowledged message, in order.
            var heard: [String] = []
            var heardSequences: [Int] = []
            while !acknowledged.isSubset(of: Set(heard)) {
                let frame = try await socket.expect("message:new")
                heard.append(try frame.payload.memberString("id"))
                if case .number(let sequence) = frame.payload.member("sequence") { heardSequences.append(Int(sequence)) }
            }
            #expect(heardSequences == heardSequences.sorted())
        }
    }
}

extension JSONValue {
    /// The number of items when this is an array.
    fileprivate var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
