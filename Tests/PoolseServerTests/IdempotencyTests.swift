import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Idempotency-Key (PROTOCOL.md §4.2)")
struct IdempotencyTests {
    @Test func successfulResponsesAreReplayedVerbatim() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            let first = try await api.request(.post, path, token: alice, json: ["body": "once"], headers: ["Idempotency-Key": "k-1"])
            let replay = try await api.request(.post, path, token: alice, json: ["body": "once"], headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == 201)
            #expect(replay.status == 201)
            #expect(replay.body == first.body)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(first.header("Idempotent-Replayed") == nil)
            let feed = try await api.request(.get, path, token: alice).decode(DataList<Message>.self).data
            #expect(feed.count == 1)
        }
    }

    @Test func sameKeyWithADifferentBodyIsRefused() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            _ = try await api.request(.post, path, token: alice, json: ["body": "a"], headers: ["Idempotency-Key": "k"])
            try await api.request(.post, path, token: alice, json: ["body": "b"], headers: ["Idempotency-Key": "k"])
                .expectError(422, "idempotency_key_reused")
        }
    }

    @Test func errorsAreNotStoredSoAFixedRequestCanReuseTheKey() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            try await api.request(.post, path, token: alice, json: ["body": ""], headers: ["Idempotency-Key": "k"])
                .expectError(422, "validation_failed")
            let fixed = try await api.request(.post, path, token: alice, json: ["body": "fixed"], headers: ["Idempotency-Key": "k"])
            #expect(fixed.status == 201)
        }
    }

    @Test func keysAreScopedToCallerAndPath() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let path = "/v1/conversations/\(group.id)/messages"
            let a = try await api.request(.post, path, token: alice, json: ["body": "x"], headers: ["Idempotency-Key": "same"])
            let b = try await api.request(.post, path, token: bob, json: ["body": "x"], headers: ["Idempotency-Key": "same"])
            #expect(a.status == 201 && b.status == 201)
            #expect(try a.decode(Message.self).id != (try b.decode(Message.self).id))
        }
    }

    @Test func concurrentRequestsWithOneKeyCreateOneMessage() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            let results = try await withThrowingTaskGroup(of: APIResult.self) { tasks in
                for _ in 0..<8 {
                    tasks.addTask {
                        try await api.request(.post, path, token: alice, json: ["body": "race"],
                                              headers: ["Idempotency-Key": "race-key"])
                    }
                }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            for result in results {
                #expect(result.status == 201 || result.errorCode == "idempotency_in_progress",
                        "\(result.status) \(String(decoding: result.body, as: UTF8.self))")
            }
            let created = Set(results.filter { $0.status == 201 }.compactMap { try? $0.decode(Message.self).id })
            #expect(created.count == 1)
            let feed = try await api.request(.get, path, token: alice).decode(DataList<Message>.self).data
            #expect(feed.count == 1)
        }
    }

    @Test func overlongKeysAreRefused() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: alice, json: ["body": "x"],
                                  headers: ["Idempotency-Key": String(repeating: "k", count: 256)])
                .expectError(400, "bad_request")
        }
    }
}

@Suite("Idempotency keys and JSON key order")
struct IdempotencyKeyOrderTests {
    /// A client's encoder may write an object's keys in another order in another process (a
    /// relaunched app resending from its outbox): the same request must still be recognised.
    @Test func theSameBodyWithKeysInAnotherOrderIsReplayed() async throws {
        try await ServerFixture.open().run { api in
            let (_, token) = try await api.login("alice")
            let group = try await api.createGroup(token: token, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            let id = UUID().uuidString.lowercased()
            let first = try await api.request(.post, path, token: token,
                                              raw: Data(#"{"id":"\#(id)","body":"hi","type":"text"}"#.utf8),
                                              headers: ["Idempotency-Key": "order-1"])
            let reordered = try await api.request(.post, path, token: token,
                                                  raw: Data(#"{ "type": "text", "body": "hi", "id": "\#(id)" }"#.utf8),
                                                  headers: ["Idempotency-Key": "order-1"])
            #expect(first.status == 201)
            #expect(reordered.status == 201)
            #expect(reordered.header("Idempotent-Replayed") == "true")
            #expect(reordered.body == first.body)
            // A different body under the same key is still refused.
            try await api.request(.post, path, token: token, raw: Data(#"{"id":"\#(id)","body":"other"}"#.utf8),
                                  headers: ["Idempotency-Key": "order-1"]).expectError(422, "idempotency_key_reused")
        }
        #expect(IdempotencyGuard.requestHash(Data(#"{"a":1,"b":[{"y":2,"x":1}]}"#.utf8))
                == IdempotencyGuard.requestHash(Data(#"{"b":[{"x":1,"y":2}],"a":1}"#.utf8)))
        #expect(IdempotencyGuard.requestHash(Data("not json".utf8)) != IdempotencyGuard.requestHash(Data("not json!".utf8)))
    }
}
