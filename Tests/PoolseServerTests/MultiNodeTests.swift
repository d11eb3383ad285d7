import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Several nodes over one database")
struct MultiNodeTests {
    @Test func tokensFromOneNodeWorkOnAnother() async throws {
        try await ServerFixture.open(nodes: 2).runClients { nodes in
            let (user, token) = try await nodes[0].login("alice")
            let me = try await nodes[1].request(.get, "/v1/me", token: token)
            #expect(try me.decode(User.self).id == user.id)
        }
    }

    @Test func concurrentSendsThroughTwoNodesStayGapFree() async throws {
        try await ServerFixture.open(nodes: 2, { $0.rateLimits.enabled = false }).runClients { nodes in
            let (_, alice) = try await nodes[0].login("alice")
            let (_, bob) = try await nodes[1].login("bob")
            let group = try await nodes[0].createGroup(token: alice, members: ["bob"])
            let total = 40
            let sequences = try await withThrowingTaskGroup(of: Int64.self) { tasks in
                for i in 0..<total {
                    let node = nodes[i % 2]
                    let token = i % 3 == 0 ? alice : bob
                    tasks.addTask {
                        try await node.request(.post, "/v1/conversations/\(group.id)/messages", token: token,
                                                              json: ["body": .string("m\(i)")]).decode(Message.self).sequence
                    }
                }
                return try await tasks.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(sequences.sorted() == Array(1...Int64(total)))
        }
    }

    @Test func oneIdempotencyKeySentToTwoNodesAtOnceMakesOneMessage() async throws {
        try await ServerFixture.open(nodes: 2).runClients { nodes in
            let (_, alice) = try await nodes[0].login("alice")
            let group = try await nodes[0].createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            let results = try await withThrowingTaskGroup(of: APIResult.self) { tasks in
                for i in 0..<6 {
                    tasks.addTask {
                        try await nodes[i % 2].request(.post, path, token: alice, json: ["body": "once"],
                                                       headers: ["Idempotency-Key": "cross-node"])
                    }
                }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            for result in results {
                #expect(result.status == 201 || result.errorCode == "idempotency_in_progress")
            }
            let feed = try await nodes[1].request(.get, path, token: alice).decode(DataList<Message>.self).data
            #expect(feed.count == 1)
            let replay = try await nodes[1].request(.post, path, token: alice, json: ["body": "once"],
                                                    headers: ["Idempotency-Key": "cross-node"])
            #expect(replay.header("Idempotent-Replayed") == "true")
        }
    }
}
