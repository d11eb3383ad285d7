import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Sequences under concurrency")
struct ConcurrencyTests {
    @Test func concurrentSendsGetGapFreeUniqueSequences() async throws {
        try await ServerFixture.open { $0.rateLimits.enabled = false }.run { api in
            var tokens: [String] = []
            for i in 0..<4 { tokens.append(try await api.login("user\(i)").token) }
            let group = try await api.createGroup(token: tokens[0], members: (1..<4).map { "user\($0)" })
            let total = 60
            let sequences = try await withThrowingTaskGroup(of: Int64.self) { tasks in
                for i in 0..<total {
                    let token = tokens[i % tokens.count]
                    tasks.addTask {
                        let result = try await api.request(.post, "/v1/conversations/\(group.id)/messages",
                                                                          token: token, json: ["body": .string("m\(i)")])
                        return try result.decode(Message.self).sequence
                    }
                }
                return try await tasks.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(sequences.sorted() == Array(1...Int64(total)))
            let conversation = try await api.request(.get, "/v1/conversations/\(group.id)", token: tokens[1])
                .decode(Conversation.self)
            #expect(conversation.lastSequence == Int64(total))
            let catchUp = try await api.request(.get, "/v1/conversations/\(group.id)/messages?after=0&limit=200",
                                                token: tokens[2]).decode(DataList<Message>.self).data
            #expect(catchUp.map(\.sequence) == Array(1...Int64(total)))
        }
    }
}
