import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Messages")
struct MessageRouteTests {
    @Test func clientSuppliedIdMakesResendsSafe() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let id = UUID().uuidString.lowercased()
            let first = try await api.send("hi", to: group.id, token: alice, extra: ["id": .string(id)])
            #expect(first.id == id)
            let resend = try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: alice,
                                               json: ["id": .string(id), "body": "hi"])
            #expect(resend.status == 200)
            #expect(try resend.decode(Message.self).sequence == first.sequence)
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: bob,
                                  json: ["id": .string(id), "body": "mine"]).expectError(409, "conflict")
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: bob)
                .decode(DataList<Message>.self).data
            #expect(feed.count == 1)
            // The send answers with the message exactly as it is stored and read back.
            #expect(feed.first == first)
            let resent = try resend.decode(Message.self)
            #expect(resent == first)
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: alice,
                                  json: ["id": "nope", "body": "x"]).expectError(422, "validation_failed")
        }
    }

    @Test func bodyRulesAndLimits() async throws {
        try await ServerFixture.open { $0.limits.maxMessageLength = 20 }.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            try await api.request(.post, path, token: alice, json: ["body": nil]).expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["body": "   "]).expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["body": .string(String(repeating: "x", count: 21))])
                .expectError(422, "validation_failed")
            #expect(try await api.request(.post, path, token: alice,
                                          json: ["body": .string(String(repeating: "x", count: 20))]).status == 201)
            try await api.request(.post, path, token: alice, json: ["body": "x", "type": "weird"])
                .expectError(422, "validation_failed")
            let ids = (0..<11).map { _ in JSONValue.string(UUID().uuidString.lowercased()) }
            try await api.request(.post, path, token: alice, json: ["body": "x", "attachment_ids": .array(ids)])
                .expectError(422, "validation_failed")
        }
    }

    @Test func feedIsNewestFirstAndPagesWithBefore() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            for i in 1...7 { _ = try await api.send("m\(i)", to: group.id, token: alice) }
            let path = "/v1/conversations/\(group.id)/messages"
            let page1 = try await api.request(.get, "\(path)?limit=3", token: alice).decode(DataList<Message>.self).data
            #expect(page1.map(\.sequence) == [7, 6, 5])
            let page2 = try await api.request(.get, "\(path)?limit=3&before=5", token: alice).decode(DataList<Message>.self).data
            #expect(page2.map(\.sequence) == [4, 3, 2])
            let all = try await api.request(.get, path, token: alice).decode(DataList<Message>.self).data
            #expect(all.count == 7)
            try await api.request(.get, "\(path)?limit=0", token: alice).expectError(422, "validation_failed")
            try await api.request(.get, "\(path)?limit=201", token: alice).expectError(422, "validation_failed")
            try await api.request(.get, "\(path)?limit=abc", token: alice).expectError(400, "bad_request")
            try await api.request(.get, "\(path)?before=3&after=1", token: alice).expectError(422, "validation_failed")
        }
    }

    @Test func threadsCountRepliesAndStayOutOfTheMainFeedButNotCatchUp() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let root = try await api.send("root", to: group.id, token: alice)
            let reply1 = try await api.send("r1", to: group.id, token: alice, extra: ["reply_to_id": .string(root.id)])
            let reply2 = try await api.send("r2", to: group.id, token: alice, extra: ["reply_to_id": .string(reply1.id)])
            #expect(reply1.threadRootId == root.id)
            #expect(reply2.threadRootId == root.id, "a reply to a reply joins the root's thread")
            #expect(reply2.replyToId == reply1.id)
            let after = try await api.send("after", to: group.id, token: alice)
            #expect(after.sequence == 4, "replies take sequences too")
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(feed.map(\.id) == [after.id, root.id])
            #expect(feed[1].replyCount == 2)
            let replies = try await api.request(.get, "/v1/messages/\(root.id)/replies", token: alice)
                .decode(DataList<Message>.self).data
            #expect(replies.map(\.id) == [reply1.id, reply2.id])
            let afterFirst = try await api.request(.get, "/v1/messages/\(root.id)/replies?after=\(reply1.sequence)", token: alice)
                .decode(DataList<Message>.self).data
            #expect(afterFirst.map(\.id) == [reply2.id])
            let catchUp = try await api.request(.get, "/v1/conversations/\(group.id)/messages?after=1&limit=2", token: alice)
                .decode(DataList<Message>.self).data
            #expect(catchUp.map(\.sequence) == [2, 3], "catch-up is oldest first and includes replies")
        }
    }

    @Test func quotesCarryAPreviewThatFollowsDeletion() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let long = String(repeating: "q", count: 300)
            let quoted = try await api.send(long, to: group.id, token: alice)
            let quoting = try await api.send("see above", to: group.id, token: alice,
                                             extra: ["quoted_message_id": .string(quoted.id)])
            #expect(quoting.quotedMessage?.id == quoted.id)
            #expect(quoting.quotedMessage?.body?.count == 200)
            #expect(quoting.quotedMessage?.senderExternalId == "alice")
            #expect(quoting.threadRootId == nil)
            try await api.request(.delete, "/v1/messages/\(quoted.id)", token: alice)
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            let reloaded = try #require(feed.first { $0.id == quoting.id })
            #expect(reloaded.quotedMessage?.body == nil)
            #expect(reloaded.quotedMessage?.deletedAt != nil)
            let other = try await api.createGroup(token: alice, members: [])
            try await api.request(.post, "/v1/conversations/\(other.id)/messages", token: alice,
                                  json: ["body": "x", "quoted_message_id": .string(quoting.id)])
                .expectError(422, "validation_failed")
        }
    }

    @Test func editAndDeleteRules() async throws {
        try await ServerFixture.open().run { api in
            let (_, owner) = try await api.login("owner")
            let (_, member) = try await api.login("member")
            let group = try await api.createGroup(token: owner, members: ["member"])
            let mine = try await api.send("original", to: group.id, token: member)
            try await api.request(.patch, "/v1/messages/\(mine.id)", token: owner, json: ["body": "hijack"])
                .expectError(403, "forbidden")
            let edited = try await api.request(.patch, "/v1/messages/\(mine.id)", token: member, json: ["body": "edited"])
                .decode(Message.self)
            #expect(edited.body == "edited")
            #expect(edited.editedAt != nil)
            let ownerMessage = try await api.send("owner's", to: group.id, token: owner)
            try await api.request(.delete, "/v1/messages/\(ownerMessage.id)", token: member).expectError(403, "forbidden")
            #expect(try await api.request(.delete, "/v1/messages/\(mine.id)", token: owner).status == 204,
                    "owners moderate")
            #expect(try await api.request(.delete, "/v1/messages/\(mine.id)", token: member).status == 204,
                    "deleting a tombstone is a no-op")
            try await api.request(.patch, "/v1/messages/\(mine.id)", token: member, json: ["body": "again"])
                .expectError(409, "message_deleted")
            try await api.request(.post, "/v1/messages/\(mine.id)/reactions", token: member, json: ["emoji": "👍"])
                .expectError(409, "message_deleted")
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: owner)
                .decode(DataList<Message>.self).data
            let tombstone = try #require(feed.first { $0.id == mine.id })
            #expect(tombstone.body == nil)
            #expect(tombstone.deletedAt != nil)
            #expect(tombstone.sequence == mine.sequence)
        }
    }

    @Test func reactionsAreIdempotentPerUserAndEmoji() async throws {
        try await ServerFixture.open().run { api in
            let (aliceUser, alice) = try await api.login("alice")
            let (bobUser, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let message = try await api.send("react to me", to: group.id, token: alice)
            let path = "/v1/messages/\(message.id)/reactions"
            _ = try await api.request(.post, path, token: alice, json: ["emoji": "🎉"])
            _ = try await api.request(.post, path, token: alice, json: ["emoji": "🎉"])
            let both = try await api.request(.post, path, token: bob, json: ["emoji": "🎉"]).decode(Message.self)
            #expect(both.reactions["🎉"] == [aliceUser.id, bobUser.id])
            let encoded = "🎉".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
            let removed = try await api.request(.delete, "\(path)/\(encoded)", token: alice).decode(Message.self)
            #expect(removed.reactions["🎉"] == [bobUser.id])
            let again = try await api.request(.delete, "\(path)/\(encoded)", token: alice)
            #expect(again.status == 200)
            try await api.request(.post, path, token: alice, json: ["emoji": ""]).expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["emoji": .string(String(repeating: "x", count: 65))])
                .expectError(422, "validation_failed")
        }
    }

    @Test func readCursorOnlyMovesForward() async throws {
        try await ServerFixture.open().run { api in
            let (aliceUser, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: bob, members: ["alice"])
            let first = try await api.send("1", to: group.id, token: bob)
            let second = try await api.send("2", to: group.id, token: bob)
            let path = "/v1/conversations/\(group.id)/read"
            #expect(try await api.request(.post, path, token: alice, json: ["message_id": .string(second.id)]).status == 204)
            #expect(try await api.request(.post, path, token: alice, json: ["message_id": .string(first.id)]).status == 204)
            let members = try await api.request(.get, "/v1/conversations/\(group.id)/members", token: alice)
                .decode(DataList<Membership>.self).data
            let cursor = try #require(members.first { $0.userId == aliceUser.id })
            #expect(cursor.lastReadMessageId == second.id)
            #expect(cursor.lastReadSequence == 2)
            try await api.request(.post, path, token: alice, json: ["message_id": .string(UUID().uuidString)])
                .expectError(404, "not_found")
        }
    }

    @Test func mentionsAreStored() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (bobUser, _) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let message = try await api.send("hey @bob", to: group.id, token: alice,
                                             extra: ["mentions": [.string(bobUser.id), .string(bobUser.id.uppercased())]])
            #expect(message.mentions == [bobUser.id])
        }
    }
}
