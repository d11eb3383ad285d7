import Foundation
import Poolse
import PoolseServer
import Testing
import PoolseTestSupport

/// Every REST method of the SDK against a real server on loopback.
@Suite("SDK ↔ server, REST")
struct SDKRESTEndToEndTests {
    @Test func meAndConversationsRoundTrip() async throws {
        try await ServerFixture.run { server in
            let alice = server.client(for: "alice")
            let me = try await alice.me.show()
            #expect(me.externalId == "alice")

            let group = try await alice.conversations.create(
                .init(type: .group, name: "Launch", memberExternalIds: ["bob", "carol"]))
            #expect(group.memberExternalIds?.sorted() == ["alice", "bob", "carol"])
            let direct = try await alice.conversations.create(.init(type: .direct, memberExternalIds: ["bob"]))
            let directAgain = try await server.client(for: "bob").conversations.create(
                .init(type: .direct, memberExternalIds: ["alice"]))
            #expect(direct.id == directAgain.id)

            let handle = alice.conversations.one(group.id)
            #expect(try await handle.show().name == "Launch")
            #expect(try await handle.update(.init(name: .some("Renamed"))).name == "Renamed")
            #expect(try await handle.update(.init(name: .some(nil))).name == nil)
            let members = try await handle.listMembers().data
            #expect(members.count == 3)
            let added = try await handle.addMembers(["dave", "erin"]).data
            #expect(Set(added.map(\.externalId)) == ["dave", "erin"])
            let admin = try await handle.addMember("frank", role: .admin)
            #expect(admin.role == .admin)
            let again = try await handle.addMember("frank")
            #expect(again.userId == admin.userId)
            try await handle.removeMember(admin.userId)
            #expect(try await handle.listMembers().data.count == 5)

            let list = try await alice.conversations.list().data
            #expect(Set(list.map(\.id)) == [group.id, direct.id])
        }
    }

    @Test func messagesThreadsReactionsAndReads() async throws {
        try await ServerFixture.run { server in
            let alice = server.client(for: "alice")
            let bob = server.client(for: "bob")
            let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: ["bob"]))
            let aliceConversation = alice.conversations.one(group.id)
            let bobConversation = bob.conversations.one(group.id)

            let first = try await aliceConversation.messages.send(.init(body: "first"))
            #expect(first.id == first.id.lowercased())
            #expect(UUID(uuidString: first.id) != nil, "the SDK supplies the id")
            let second = try await bobConversation.messages.send(.init(body: "second", quotedMessageId: first.id))
            #expect(second.quotedMessage?.body == "first")
            let reply = try await bobConversation.messages.send(.init(body: "in thread", replyToId: first.id))
            #expect(reply.threadRootId == first.id)

            let feed = try await aliceConversation.messages.list(limit: 10).data
            #expect(feed.map(\.id) == [second.id, first.id])
            let older = try await aliceConversation.messages.list(limit: 10, before: second.sequence).data
            #expect(older.map(\.id) == [first.id])
            let catchUp = try await aliceConversation.messages.list(after: first.sequence).data
            #expect(catchUp.map(\.id) == [second.id, reply.id])
            let replies = try await alice.messages.one(first.id).replies().data
            #expect(replies.map(\.id) == [reply.id])

            let reacted = try await alice.messages.one(second.id).addReaction("👍🏽")
            #expect(reacted.reactions["👍🏽"]?.count == 1)
            let unreacted = try await alice.messages.one(second.id).removeReaction("👍🏽")
            #expect(unreacted.reactions["👍🏽"] == nil)

            let edited = try await bob.messages.one(second.id).update(body: "second, edited")
            #expect(edited.editedAt != nil)
            try await bob.messages.one(second.id).delete()
            #expect(try await aliceConversation.messages.list().data.first?.deletedAt != nil)

            #expect(try await bobConversation.show().unreadCount == 0, "bob's own sends moved his cursor")
            let latest = try await aliceConversation.messages.send(.init(body: "latest"))
            #expect(try await bobConversation.show().unreadCount == 1)
            try await bobConversation.messages.markRead(latest.id)
            #expect(try await bobConversation.show().unreadCount == 0)
        }
    }

    @Test func escapeHatchCarriesAuthAndIdempotency() async throws {
        try await ServerFixture.run { server in
            let alice = server.client(for: "alice")
            let me: Me = try await alice.rest.request(.get, "/v1/me")
            #expect(me.externalId == "alice")
            let group = try await alice.conversations.create(.init(type: .group))
            let path = "/v1/conversations/\(group.id)/messages"
            let first = try await alice.rest.request(.post, path, body: MessageCreateRequest(body: "x"),
                                                     idempotencyKey: .key("escape-hatch"))
            let replay = try await alice.rest.request(.post, path, body: MessageCreateRequest(body: "x"),
                                                      idempotencyKey: .key("escape-hatch"))
            #expect(!first.isReplayed)
            #expect(replay.isReplayed)
            #expect(try await alice.conversations.one(group.id).messages.list().data.count == 1)
        }
    }

    @Test func typedErrorsFromTheServer() async throws {
        try await ServerFixture.run({ $0.rateLimits.writes = Rate(perSecond: 0.01, burst: 1) }) { server in
            let alice = server.client(for: "alice", configure: { $0.maxRetries = 0 })
            do {
                _ = try await alice.conversations.one(UUID().uuidString.lowercased()).show()
                Issue.record("expected not_found")
            } catch let error as APIError {
                #expect(error.status == 404)
                #expect(error.code == "not_found")
                #expect(error.docURL?.absoluteString.hasSuffix("#not_found") == true)
            }
            _ = try await alice.conversations.create(.init(type: .group))
            await #expect(throws: RateLimitedError.self) { _ = try await alice.conversations.create(.init(type: .group)) }

            let stranger = Poolse(PoolseConfiguration(apiURL: server.url) { "not-a-jwt" })
            await #expect(throws: AuthError.self) { _ = try await stranger.me.show() }
        }
    }

    @Test func tokenIsFetchedOncePerLifetime() async throws {
        try await ServerFixture.run { server in
            let counter = CallCounter()
            let alice = Poolse(PoolseConfiguration(apiURL: server.url) {
                await counter.increment()
                return try await server.token(for: "alice")
            })
            for _ in 0..<5 { _ = try await alice.me.show() }
            #expect(await counter.count == 1)
        }
    }
}

actor CallCounter {
    private(set) var count = 0
    func increment() { count += 1 }
}
