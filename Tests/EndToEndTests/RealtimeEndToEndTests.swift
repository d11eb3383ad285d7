import Foundation
import Poolse
import PoolseServer
import Testing
import PoolseTestSupport

/// The SDK's realtime half against a real server on loopback: two users chatting,
/// typing, presence, reactions, reads, refusals, and recovery from a disconnect and
/// from a server restart.
@Suite("SDK ↔ server, realtime")
struct RealtimeEndToEndTests {
    @Test func twoUsersChatLive() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let alice = server.client(for: "alice")
            let bob = server.client(for: "bob")
            defer {
                alice.destroy()
                bob.destroy()
            }
            let aliceID = try await alice.me.show().id
            let bobID = try await bob.me.show().id
            let aliceInbox = alice.realtime.user(aliceID)
            let created = Collected<Conversation>(), updates = Collected<ConversationUpdatedEvent>()
            let mentions = Collected<MentionEvent>()
            _ = aliceInbox.onConversationCreated(created.append)
            _ = aliceInbox.onConversationUpdated(updates.append)
            _ = aliceInbox.onMention(mentions.append)
            try await aliceInbox.waitUntilJoined()

            let group = try await bob.conversations.create(.init(type: .group, name: "Live", memberExternalIds: ["alice"]))
            try await eventually("conversation:created") { created.all.map(\.id) == [group.id] }

            let aliceLive = alice.realtime.conversation(group.id)
            let aliceMessages = Collected<Message>(), typing = Collected<TypingEvent>(), stops = Collected<TypingEvent>()
            let reactions = Collected<ReactionEvent>(), diffs = Collected<PresenceDiff>()
            _ = aliceLive.onMessage(aliceMessages.append)
            _ = aliceLive.onTypingStart(typing.append)
            _ = aliceLive.onTypingStop(stops.append)
            _ = aliceLive.onReactionAdded(reactions.append)
            _ = aliceLive.onPresenceDiff(diffs.append)
            try await aliceLive.waitUntilJoined()
            #expect(alice.realtime.getStatus() == .connected)
            #expect(alice.realtime.conversation(group.id) === aliceLive)

            let bobLive = bob.realtime.conversation(group.id)
            let bobMessages = Collected<Message>(), reads = Collected<MemberReadEvent>()
            _ = bobLive.onMessage(bobMessages.append)
            _ = bobLive.onMemberRead(reads.append)
            try await bobLive.waitUntilJoined()

            // Presence: alice sees bob arrive, both know who is here.
            try await eventually("bob's presence") { diffs.all.contains { $0.joins[bobID] != nil } }
            #expect(Set(aliceLive.getPresenceState().keys) == [aliceID, bobID])
            try await eventually("bob's snapshot") { Set(bobLive.getPresenceState().keys) == [aliceID, bobID] }

            // Typing, then a message, which ends the typing at once.
            bobLive.sendTyping()
            try await eventually("typing:start") { typing.all.map(\.userId) == [bobID] }
            let hello = try await bob.conversations.one(group.id).messages.send(.init(body: "Hi Alice", mentions: [aliceID]))
            try await eventually("the message") { aliceMessages.all.map(\.id) == [hello.id] }
            try await eventually("typing:stop") { stops.all.map(\.userId) == [bobID] }
            #expect(aliceMessages.all.first?.body == "Hi Alice")
            try await eventually("the mention") { mentions.all.map(\.messageId) == [hello.id] }
            try await eventually("conversation:updated") {
                updates.all.contains { $0.conversation.id == group.id && $0.byUserId == bobID }
            }

            // A reaction and a read receipt.
            _ = try await alice.messages.one(hello.id).addReaction("🎉")
            try await eventually("reaction:added") { reactions.all.map(\.emoji) == ["🎉"] }
            try await alice.conversations.one(group.id).messages.markRead(hello.id)
            try await eventually("member:read") {
                reads.all.contains { $0.userId == aliceID && $0.lastReadMessageId == hello.id }
            }

            // Bob leaves: alice sees him go.
            bob.destroy()
            try await eventually("bob's leave") { diffs.all.contains { $0.leaves[bobID] != nil } }
            #expect(Set(aliceLive.getPresenceState().keys) == [aliceID])
        }
    }

    @Test func messagesSentWhileAClientIsDisconnectedArriveOnReconnectInOrderAndOnce() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let alice = server.client(for: "alice")
            let bob = server.client(for: "bob")
            defer {
                alice.destroy()
                bob.destroy()
            }
            let group = try await bob.conversations.create(.init(type: .group, memberExternalIds: ["alice"]))
            let messages = bob.conversations.one(group.id).messages
            let live = alice.realtime.conversation(group.id)
            let received = Collected<Message>()
            _ = live.onMessage(received.append)
            try await live.waitUntilJoined()

            let first = try await messages.send(.init(body: "one"))
            try await eventually("the first message") { received.all.map(\.id) == [first.id] }

            alice.realtime.disconnect()
            try await eventually("closed") { alice.realtime.getStatus() == .closed }
            var missed: [Message] = []
            for body in ["two", "three", "four"] { missed.append(try await messages.send(.init(body: body))) }
            #expect(received.all.count == 1)

            alice.realtime.connect()
            try await eventually("the missed messages") { received.all.count == 4 }
            let last = try await messages.send(.init(body: "five"))
            try await eventually("the next live message") { received.all.count == 5 }
            #expect(received.all.map(\.id) == [first.id] + missed.map(\.id) + [last.id])
            #expect(received.all.map(\.sequence) == received.all.map(\.sequence).sorted())
        }
    }

    @Test func aServerRestartIsRecoveredWithoutLosingMessages() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let errors = Collected<RealtimeError>()
            let alice = server.client(for: "alice", onSocketError: { error in
                if let error = error as? RealtimeError { errors.append(error) }
            })
            let bob = server.client(for: "bob")
            defer {
                alice.destroy()
                bob.destroy()
            }
            let bobID = try await bob.me.show().id
            let group = try await bob.conversations.create(.init(type: .group, memberExternalIds: ["alice"]))
            let messages = bob.conversations.one(group.id).messages
            let aliceLive = alice.realtime.conversation(group.id)
            let bobLive = bob.realtime.conversation(group.id)
            let received = Collected<Message>()
            let statuses = Collected<RealtimeStatus>()
            _ = aliceLive.onMessage(received.append)
            _ = alice.realtime.onStatus(statuses.append)
            try await aliceLive.waitUntilJoined()
            try await bobLive.waitUntilJoined()
            let before = try await messages.send(.init(body: "before the restart"))
            try await eventually("the first message") { received.all.map(\.id) == [before.id] }

            await server.stop(closing: true)
            try await eventually("alice to notice") { alice.realtime.getStatus() == .reconnecting }
            try await server.restart()
            // Sent as soon as the server is back, likely before alice's socket is.
            let during = try await messages.send(.init(body: "right after the restart"))

            try await eventually("alice to reconnect") { alice.realtime.getStatus() == .connected }
            try await aliceLive.waitUntilJoined()
            try await eventually("the message sent during recovery") { received.all.count == 2 }
            try await eventually("bob's presence after the restart") { aliceLive.getPresenceState()[bobID] != nil }
            let after = try await messages.send(.init(body: "after the restart"))
            try await eventually("a live message after the restart") { received.all.count == 3 }

            #expect(received.all.map(\.id) == [before.id, during.id, after.id])
            #expect(statuses.all.prefix(2) == [.reconnecting, .connected] || statuses.all.contains(.reconnecting))
            #expect(errors.all.contains { $0.code == .connectionLost })
        }
    }

    @Test func joinsTheServerRefusesAreSurfaced() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let alice = server.client(for: "alice")
            let mallory = server.client(for: "mallory")
            defer {
                alice.destroy()
                mallory.destroy()
            }
            let aliceID = try await alice.me.show().id
            let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: ["bob"]))

            let outsider = mallory.realtime.conversation(group.id)
            let error = await #expect(throws: RealtimeError.self) { try await outsider.waitUntilJoined() }
            #expect(error?.code == .joinRefused)
            let someoneElse = mallory.realtime.user(aliceID)
            let userError = await #expect(throws: RealtimeError.self) { try await someoneElse.waitUntilJoined() }
            #expect(userError?.code == .joinRefused)
            #expect(mallory.realtime.getStatus() == .connected)
        }
    }

    @Test func aMemberRemovedFromTheConversationIsClosedOut() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let alice = server.client(for: "alice")
            let bob = server.client(for: "bob")
            defer {
                alice.destroy()
                bob.destroy()
            }
            let bobID = try await bob.me.show().id
            let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: ["bob"]))
            let bobLive = bob.realtime.conversation(group.id)
            try await bobLive.waitUntilJoined()
            try await alice.conversations.one(group.id).removeMember(bobID)
            try await eventually("bob's channel to close") { bobLive.state.isClosed }
            guard case .closed(let error?) = bobLive.state else {
                Issue.record("closed without an error")
                return
            }
            #expect(error.code == .closedByServer)
        }
    }
}
