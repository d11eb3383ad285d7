import Foundation
import PoolseServer
@testable import PoolseState
import Testing
import PoolseTestSupport

/// The message models against a live server in-process: optimistic sends, their
/// reconciliation in both orders, reconnects, threads, two models of one conversation.
@Suite("PoolseState message models, live", .serialized)
@MainActor
struct MessageListLiveTests {
    /// Alice's session and a group with bob, both sessions' feeds synced.
    struct Chat {
        let alice: PoolseSession
        let bob: Poolse
        let conversationID: String

        @MainActor func close() {
            alice.signOut()
            bob.destroy()
        }
    }

    static func chat(_ server: ServerFixture, aliceTransport: (any HTTPTransport)? = nil,
                     windowSize: Int = 500) async throws -> Chat {
        let bob = server.client(for: "bob")
        let group = try await bob.conversations.create(.init(type: .group, name: "G", memberExternalIds: ["alice"]))
        let alice = PoolseSession(client: server.client(for: "alice", transport: aliceTransport),
                                  configuration: .init(windowSize: windowSize, outboxRetryDelay: .milliseconds(50)))
        try await eventually("alice's user") { alice.me != nil }
        return Chat(alice: alice, bob: bob, conversationID: group.id)
    }

    @Test func aSendShowsPendingAtOnceAndTheEchoBeforeTheAnswerConfirmsIt() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let gate = GatedTransport()
            let chat = try await Self.chat(server, aliceTransport: gate)
            defer { chat.close() }
            let feed = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            try await eventually("sync") { feed.isSynced }

            let id = try feed.send("Hello")
            #expect(feed.messages.map(\.id) == [id])
            #expect(feed.messages.first?.delivery.isPending == true)
            #expect(feed.messages.first?.message.body == "Hello")

            // The POST is answered but held at the transport: only the echo can confirm it.
            try await eventually("the echo") { feed.messages.first?.message.sequence ?? 0 > 0 }
            try await eventually("the answer to be held") { gate.held == 1 }
            #expect(chat.alice.outbox.contains(id), "the answer has not been taken in")
            #expect(feed.messages.map(\.id) == [id])
            #expect(feed.messages.first.map { if case .sent = $0.delivery { true } else { false } } == true)

            gate.release()
            try await eventually("the answer") { chat.alice.outbox.entries.isEmpty }
            #expect(feed.messages.map(\.id) == [id])
            #expect(try await serverFeed(chat.bob, chat.conversationID).map(\.id) == [id])
        }
    }

    @Test func theAnswerBeforeTheEchoConfirmsItAndTheLateEchoAddsNothing() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let feed = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            try await eventually("sync") { feed.isSynced }

            // No socket: the answer is the only way in. The echo comes with the catch-up later.
            chat.alice.client.realtime.disconnect()
            let id = try feed.send("Answer first")
            try await eventually("the answer") { feed.messages.first?.message.sequence ?? 0 > 0 }
            #expect(feed.messages.map(\.id) == [id])

            let other = try await chat.bob.conversations.one(chat.conversationID).messages.send(.init(body: "meanwhile"))
            chat.alice.client.realtime.connect()
            try await eventually("the catch-up") { feed.messages.map(\.id) == [id, other.id] }
            #expect(feed.messages.allSatisfy { if case .sent = $0.delivery { true } else { false } })
        }
    }

    @Test func afterAForcedDisconnectTheFeedHoldsExactlyTheServersMessages() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let bobMessages = chat.bob.conversations.one(chat.conversationID).messages
            let first = try await bobMessages.send(.init(body: "before"))
            let feed = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            try await eventually("sync") { feed.messages.map(\.id) == [first.id] }

            chat.alice.client.realtime.disconnect()
            var sent: [Message] = []
            for index in 0..<12 { sent.append(try await bobMessages.send(.init(body: "offline \(index)"))) }
            _ = try await chat.bob.messages.one(sent[0].id).update(body: "edited while away")
            try await chat.bob.messages.one(sent[1].id).delete()
            _ = try await bobMessages.send(.init(body: "a reply", replyToId: first.id))
            chat.alice.client.realtime.connect()

            let expected = try await serverFeed(chat.bob, chat.conversationID).map(Shown.init)
            try await eventually("the feed to match the server") {
                feed.messages.map { Shown($0.message) } == expected
            }
            #expect(feed.messages.map(\.message.sequence) == expected.map(\.sequence))
            #expect(Set(feed.messages.map(\.id)).count == feed.messages.count)
            #expect(feed.messages.first?.message.replyCount == 1)
        }
    }

    /// What a row shows of a message.
    struct Shown: Equatable {
        let id: String, sequence: Int64, body: String?, edited: Bool, deleted: Bool, replies: Int
        init(_ message: Message) {
            id = message.id
            sequence = message.sequence
            body = message.body
            edited = message.editedAt != nil
            deleted = message.deletedAt != nil
            replies = message.replyCount ?? 0
        }
    }

    @Test func twoModelsOfOneConversationStayConsistent() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let one = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            let two = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            try await eventually("sync") { one.isSynced && two.isSynced }
            @MainActor func same() -> Bool {
                one.messages.map(\.id) == two.messages.map(\.id)
                    && one.messages.map(\.message) == two.messages.map(\.message)
            }

            let id = try one.send("from one")
            #expect(same())
            try await eventually("sent") { chat.alice.outbox.entries.isEmpty && two.messages.first?.message.sequence ?? 0 > 0 }
            try await two.edit(id, body: "edited in two")
            #expect(one.messages.first?.message.body == "edited in two")
            try await one.react(id, emoji: "👍")
            #expect(two.messages.first?.message.reactions["👍"] == [chat.alice.me?.id ?? ""])
            let theirs = try await chat.bob.conversations.one(chat.conversationID).messages.send(.init(body: "bob"))
            try await eventually("bob's message in both") { one.messages.last?.id == theirs.id && same() }
            try await two.delete(id)
            #expect(one.messages.first?.message.deletedAt != nil)
            #expect(same())
        }
    }

    @Test func aRefusedEditRollsBackAndARefusedSendFailsUntilDiscarded() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let feed = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            let theirs = try await chat.bob.conversations.one(chat.conversationID).messages.send(.init(body: "bob's"))
            try await eventually("bob's message") { feed.messages.map(\.id) == [theirs.id] }

            // Only the sender may edit: 403, and the old body comes back.
            await #expect(throws: APIError.self) { try await feed.edit(theirs.id, body: "not mine") }
            #expect(feed.messages.first?.message.body == "bob's")

            // Too long for the server: 422, failed, not retried forever.
            let id = try feed.send(String(repeating: "x", count: 8_001))
            try await eventually("the refusal") { feed.messages.last?.delivery.error != nil }
            #expect((feed.messages.last?.delivery.error as? APIError)?.status == 422)
            let next = try feed.send("after the refusal")
            try await eventually("the next send") { feed.messages.contains { $0.id == next && $0.message.sequence > 0 } }
            #expect(feed.messages.last?.id == id)
            feed.discard(id)
            #expect(!feed.messages.contains { $0.id == id })
            #expect(try await serverFeed(chat.bob, chat.conversationID).map(\.id) == [theirs.id, next])
        }
    }

    @Test func threadRepliesGoToTheThreadAndRaiseTheRootsCount() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let feed = MessageListModel(session: chat.alice, conversationID: chat.conversationID)
            let root = try await chat.bob.conversations.one(chat.conversationID).messages.send(.init(body: "root"))
            try await eventually("the root") { feed.messages.map(\.id) == [root.id] }
            let thread = ThreadModel(session: chat.alice, conversationID: chat.conversationID, rootID: root.id)
            try await thread.load()
            #expect(thread.root?.id == root.id)

            let mine = try thread.send("my reply")
            #expect(thread.replies.map(\.id) == [mine])
            #expect(thread.replies.first?.delivery.isPending == true)
            let theirs = try await chat.bob.conversations.one(chat.conversationID).messages
                .send(.init(body: "bob's reply", replyToId: root.id))
            try await eventually("both replies") {
                Set(thread.sentReplies.map(\.id)) == [mine, theirs.id] && feed.messages.first?.message.replyCount == 2
            }
            #expect(feed.messages.map(\.id) == [root.id])
            #expect(thread.sentReplies.map(\.sequence) == thread.sentReplies.map(\.sequence).sorted())
        }
    }

    @Test func inboxConversationAndStatusFollowTheServer() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let chat = try await Self.chat(server)
            defer { chat.close() }
            let inbox = InboxModel(session: chat.alice)
            let status = RealtimeStatusModel(session: chat.alice)
            try await eventually("the inbox") { inbox.conversations.map(\.id) == [chat.conversationID] }
            let conversation = ConversationModel(session: chat.alice, conversationID: chat.conversationID)
            try await eventually("members") { conversation.members.count == 2 }
            #expect(Set(conversation.members.map(\.role)) == [.owner, .member])
            try await eventually("connected") { status.isConnected }

            let bobLive = chat.bob.realtime.conversation(chat.conversationID)
            try await bobLive.waitUntilJoined()
            let bobID = try await chat.bob.me.show().id
            try await eventually("bob's presence") { conversation.onlineUserIDs.contains(bobID) }
            bobLive.sendTyping()
            try await eventually("bob typing") { conversation.typing.map(\.userId) == [bobID] }

            let message = try await chat.bob.conversations.one(chat.conversationID).messages.send(.init(body: "unread"))
            try await eventually("the unread count") {
                inbox.conversations.first?.unreadCount == 1 && inbox.conversations.first?.lastMessagePreview == "unread"
            }
            try await eventually("typing cleared") { conversation.typing.isEmpty }
            try await inbox.markRead(chat.conversationID)
            #expect(inbox.conversations.first?.unreadCount == 0)
            let aliceID = chat.alice.me?.id
            try await eventually("alice's read cursor") {
                conversation.members.first { $0.userId == aliceID }?.lastReadMessageId == message.id
            }

            let created = try await inbox.create(.init(type: .group, name: "Second", memberExternalIds: ["bob"]))
            #expect(inbox.conversations.first?.id == created.id)
        }
    }
}
