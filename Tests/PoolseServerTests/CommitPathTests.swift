import Crypto
import Foundation
import HTTPTypes
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The one commit-and-publish path: events are written in the change's transaction, published
/// after the commit, deleted once published, and published by a sweep when a node died first.
@Suite("Commit and publish")
struct CommitPathTests {
    @Test func publishedBatchesLeaveTheOutbox() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            for index in 0..<5 { _ = try await api.send("m\(index)", to: group.id, token: alice) }
            let store = api.server.app.store
            // The app's relay service acknowledges published batches every 100 ms.
            try await eventually { (try? await store.read { try await $0.outboxCount() }) == 0 }
        }
    }

    @Test func eventsLeftByADeadNodeArePublishedBySweep() async throws {
        let server = try await ServerFixture.open()
        let app = server.app
        let events = await app.pubsub.subscribe()
        let relay = EventRelay(store: app.store, pubsub: app.pubsub, logger: app.logger, staleAfter: .seconds(30))
        // What a node that died between its commit and its publish leaves behind: a committed
        // batch, never published. One is old enough for the sweep, one is not (its node may
        // still be publishing it).
        let stale = RealtimeMessage(topic: "conversation:dead", event: "message:new", payload: ["id": "m1"])
        let fresh = RealtimeMessage(topic: "conversation:live", event: "message:new", payload: ["id": "m2"])
        let now = WallClock.nowMicros()
        try await app.store.transaction { q in
            try await q.insertOutbox(OutboxRow(id: IDs.make(), body: DomainEvent.outboxText([.realtime(stale)]),
                                               createdAt: now - 60_000_000))
            try await q.insertOutbox(OutboxRow(id: IDs.make(), body: DomainEvent.outboxText([.realtime(fresh)]),
                                               createdAt: now))
        }
        #expect(await relay.sweep() == 1)
        var iterator = events.makeAsyncIterator()
        var published = await iterator.next()
        while published?.topic == GatewayCommand.topic { published = await iterator.next() }
        #expect(published == stale)
        #expect(try await app.store.read { try await $0.outboxCount() } == 1, "the fresh batch waits")
        #expect(await relay.sweep() == 0)
        await server.cleanUp()
    }

    @Test func conversationRequestsAreExpandedWhenPublished() async throws {
        try await ServerFixture.open().run { api in
            let (alice, aliceToken) = try await api.login("alice")
            let (bob, _) = try await api.login("bob")
            let group = try await api.createGroup(token: aliceToken, members: ["bob"])
            _ = try await api.send("one", to: group.id, token: aliceToken)
            let app = api.server.app
            // The send's own batch is acknowledged first, so the sweep below finds only ours.
            try await eventually { (try? await app.store.read { try await $0.outboxCount() }) == 0 }
            let events = await app.pubsub.subscribe()
            let relay = EventRelay(store: app.store, pubsub: app.pubsub, logger: app.logger, staleAfter: .zero)
            let request = DomainEvent.conversationUpdated(conversationId: group.id, tenantId: alice.tenantId,
                                                          byUserId: alice.id, recipients: nil, includeMembers: false)
            try await app.store.transaction { q in
                try await q.insertOutbox(OutboxRow(id: IDs.make(), body: DomainEvent.outboxText([request]),
                                                   createdAt: WallClock.nowMicros() - 1))
            }
            #expect(await relay.sweep() >= 1)
            var iterator = events.makeAsyncIterator()
            // Skip the gateways' own traffic (presence heartbeats cross PostgreSQL too).
            var next = await iterator.next()
            while next?.topic == GatewayCommand.topic { next = await iterator.next() }
            let fanout = try #require(next)
            #expect(fanout.topic == MemberFanout.topic(group.id))
            let counts = try #require(MemberFanout.read(fanout.payloadJSON)).unreadCounts
            #expect(counts == [alice.id: 0, bob.id: 1])
        }
    }

    @Test func twoSweepersNeverPublishABatchTwice() async throws {
        let cluster = try await ServerFixture.open(nodes: 2)
        let apps = cluster.nodes.map(\.app)
        let events = await apps[0].pubsub.subscribe()
        let old = WallClock.nowMicros() - 60_000_000
        let batches = 40
        try await apps[0].store.transaction { q in
            for index in 0..<batches {
                let message = RealtimeMessage(topic: "conversation:c", event: "message:new", payload: ["n": .number(Double(index))])
                try await q.insertOutbox(OutboxRow(id: IDs.make(), body: DomainEvent.outboxText([.realtime(message)]),
                                                   createdAt: old + Int64(index)))
            }
        }
        let relays = apps.map { EventRelay(store: $0.store, pubsub: $0.pubsub, logger: $0.logger) }
        let swept = await withTaskGroup(of: Int.self) { group in
            for relay in relays { group.addTask { var total = 0; while case let n = await relay.sweep(limit: 7), n > 0 { total += n }; return total } }
            return await group.reduce(0, +)
        }
        #expect(swept == batches)
        var seen: [Int] = []
        var iterator = events.makeAsyncIterator()
        while seen.count < batches, let event = await iterator.next() {
            guard event.topic != GatewayCommand.topic else { continue }
            if case .number(let n)? = event.payload.objectValue?["n"] { seen.append(Int(n)) }
        }
        #expect(seen.sorted() == Array(0..<batches))
        #expect(try await apps[0].store.read { try await $0.outboxCount() } == 0)
        await cluster.cleanUp()
    }

    @Test func anIdempotentResponseIsStoredWithItsWrite() async throws {
        try await ServerFixture.open().run { api in
            let (alice, aliceToken) = try await api.login("alice")
            let group = try await api.createGroup(token: aliceToken, members: [])
            let app = api.server.app
            let path = "/v1/conversations/\(group.id)/messages"
            let body: JSONValue = ["body": "exactly once"]
            let bodyBytes = try WireCoding.encoder.encode(body)
            let scope = IdempotencyScope(tenantId: alice.tenantId, callerId: "user:\(alice.id)", method: "POST",
                                         path: path, key: "crash-1")
            let hash = IdempotencyGuard.requestHash(bodyBytes)
            #expect(try await app.store.transaction { try await $0.claimIdempotencyKey(scope, requestHash: hash, at: WallClock.nowMicros()) })
            // The request's write commits, then the request dies before it could answer (as a
            // node killed right after its commit would).
            let messages = MessageService(store: app.store, limits: app.configuration.limits,
                                          committer: ChangeCommitter(store: app.store, relay: app.relay),
                                          attachments: app.attachments)
            let caller = UserPrincipal(user: alice, tokenId: "t")
            let request = try WireCoding.decoder.decode(MessageCreateRequest.self, from: bodyBytes)
            await #expect(throws: SimulatedCrash.self) {
                try await IdempotentExchange.$current.withValue(IdempotentExchange(scope: scope)) {
                    _ = try await IdempotentExchange.respond({ (sent: MessageService.Sent) in
                        .encodedJSON(sent.json, status: 201)
                    }) {
                        _ = try await messages.send(conversationId: group.id, request, by: caller)
                        throw SimulatedCrash()
                    }
                }
            }
            let record = try #require(try await app.store.read { try await $0.idempotencyRecord(scope) })
            #expect(record.state == .completed)
            #expect(record.status == 201)
            // The client's retry is answered from the stored response: the message exists once.
            let retry = try await api.request(.post, path, token: aliceToken, raw: bodyBytes,
                                              headers: ["Idempotency-Key": "crash-1"])
            #expect(retry.status == 201)
            #expect(retry.header("Idempotent-Replayed") == "true")
            let feed = try await api.request(.get, path, token: aliceToken).decode(DataList<Message>.self).data
            #expect(feed.count == 1)
            #expect(try retry.decode(Message.self).id == feed.first?.id)
        }
    }

    @Test func aRouteResponseIsReplayedByteForByte() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            for (method, path, json) in [
                (HTTPRequest.Method.post, "/v1/conversations/\(group.id)/messages", ["body": "hi"] as JSONValue),
                (.patch, "/v1/conversations/\(group.id)", ["name": "renamed"]),
                (.post, "/v1/conversations/\(group.id)/members", ["external_ids": ["carol"]]),
            ] {
                let first = try await api.request(method, path, token: alice, json: json,
                                                  headers: ["Idempotency-Key": "k-\(path)"])
                let second = try await api.request(method, path, token: alice, json: json,
                                                   headers: ["Idempotency-Key": "k-\(path)"])
                #expect((200..<300).contains(first.status))
                #expect(second.status == first.status)
                #expect(second.body == first.body)
                #expect(second.header("Idempotent-Replayed") == "true")
            }
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(feed.count == 1)
        }
    }
}

private struct SimulatedCrash: Error {}
