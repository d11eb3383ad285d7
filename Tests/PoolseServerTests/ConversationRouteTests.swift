import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Conversations and members")
struct ConversationRouteTests {
    @Test func groupCreatorIsOwnerAndUnknownMembersAreProvisioned() async throws {
        try await ServerFixture.open().run { api in
            let (alice, token) = try await api.login("alice")
            let group = try await api.createGroup(token: token, members: ["bob", "carol"])
            #expect(group.createdByUserId == alice.id)
            #expect(group.type == .group)
            #expect(Set(group.memberExternalIds ?? []) == ["alice", "bob", "carol"])
            #expect(group.unreadCount == 0)
            let members = try await api.request(.get, "/v1/conversations/\(group.id)/members", token: token)
                .decode(DataList<Membership>.self).data
            #expect(members.count == 3)
            #expect(members.first { $0.userId == alice.id }?.role == .owner)
            #expect(members.filter { $0.role == .member }.map(\.externalId).sorted() == ["bob", "carol"])
            // bob now exists in the tenant and can log in to see the conversation.
            let (_, bobToken) = try await api.login("bob")
            #expect(try await api.request(.get, "/v1/conversations/\(group.id)", token: bobToken).status == 200)
        }
    }

    @Test func directConversationIsDeduplicatedPerPair() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let first = try await api.request(.post, "/v1/conversations", token: alice,
                                              json: ["type": "direct", "member_external_ids": ["bob"]])
            #expect(first.status == 201)
            let again = try await api.request(.post, "/v1/conversations", token: bob,
                                              json: ["type": "direct", "member_external_ids": ["alice", "bob"]])
            #expect(again.status == 200)
            #expect(try first.decode(Conversation.self).id == (try again.decode(Conversation.self).id))
            try await api.request(.post, "/v1/conversations", token: alice,
                                  json: ["type": "direct", "member_external_ids": ["bob", "carol"]])
                .expectError(422, "validation_failed")
            try await api.request(.post, "/v1/conversations", token: alice,
                                  json: ["type": "direct", "member_external_ids": ["alice"]])
                .expectError(422, "validation_failed")
            let direct = try first.decode(Conversation.self)
            try await api.request(.post, "/v1/conversations/\(direct.id)/members", token: alice,
                                  json: ["external_ids": ["carol"]]).expectError(422, "validation_failed")
        }
    }

    @Test func memberLimitIsEnforcedOnCreateAddAndUpdate() async throws {
        try await ServerFixture.open().run { api in
            let (_, token) = try await api.login("owner")
            try await api.request(.post, "/v1/conversations", token: token,
                                  json: ["type": "group", "member_limit": 2, "member_external_ids": ["a", "b"]])
                .expectError(422, "member_limit_reached")
            let group = try await api.createGroup(token: token, members: ["a"], limit: 3)
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: token,
                                  json: ["external_ids": ["b", "c"]]).expectError(422, "member_limit_reached")
            let members = try await api.request(.get, "/v1/conversations/\(group.id)/members", token: token)
                .decode(DataList<Membership>.self).data
            #expect(members.count == 2, "a refused add must add nobody")
            let added = try await api.request(.post, "/v1/conversations/\(group.id)/members", token: token,
                                              json: ["external_ids": ["b", "a"]])
            #expect(try added.decode(DataList<Membership>.self).data.map(\.externalId).sorted() == ["a", "b"])
            try await api.request(.patch, "/v1/conversations/\(group.id)", token: token, json: ["member_limit": 2])
                .expectError(422, "validation_failed")
        }
    }

    @Test func onlyOwnerOrAdminUpdatesAndAddsAndNullClears() async throws {
        try await ServerFixture.open().run { api in
            let (_, owner) = try await api.login("owner")
            let group = try await api.createGroup(token: owner, members: ["member"])
            let (_, member) = try await api.login("member")
            try await api.request(.patch, "/v1/conversations/\(group.id)", token: member, json: ["name": "x"])
                .expectError(403, "forbidden")
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: member,
                                  json: ["external_ids": ["z"]]).expectError(403, "forbidden")
            let renamed = try await api.request(.patch, "/v1/conversations/\(group.id)", token: owner,
                                                json: ["name": "renamed", "settings": ["muted": true]])
            #expect(try renamed.decode(Conversation.self).name == "renamed")
            #expect(try renamed.decode(Conversation.self).settings?["muted"] == true)
            let cleared = try await api.request(.patch, "/v1/conversations/\(group.id)", token: owner, json: ["name": nil])
            #expect(try cleared.decode(Conversation.self).name == nil)
            #expect(try cleared.decode(Conversation.self).settings?["muted"] == true)
            // Promote and let the admin add someone.
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: owner,
                                  json: ["external_ids": ["admin"], "role": "admin"])
            let (_, admin) = try await api.login("admin")
            #expect(try await api.request(.post, "/v1/conversations/\(group.id)/members", token: admin,
                                          json: ["external_ids": ["newbie"]]).status == 200)
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: admin,
                                  json: ["external_ids": ["x"], "role": "admin"]).expectError(403, "forbidden")
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: owner,
                                  json: ["external_ids": ["x"], "role": "owner"]).expectError(422, "validation_failed")
        }
    }

    @Test func removalRules() async throws {
        try await ServerFixture.open().run { api in
            let (ownerUser, owner) = try await api.login("owner")
            let group = try await api.createGroup(token: owner, members: ["m1", "m2"])
            let (m1User, m1) = try await api.login("m1")
            let (m2User, _) = try await api.login("m2")
            let path = "/v1/conversations/\(group.id)/members"
            try await api.request(.delete, "\(path)/\(m2User.id)", token: m1).expectError(403, "forbidden")
            try await api.request(.delete, "\(path)/\(ownerUser.id)", token: m1).expectError(403, "forbidden")
            #expect(try await api.request(.delete, "\(path)/\(m1User.id)", token: m1).status == 204)
            try await api.request(.get, "/v1/conversations/\(group.id)", token: m1).expectError(404, "not_found")
            #expect(try await api.request(.delete, "\(path)/\(m2User.id)", token: owner).status == 204)
            try await api.request(.delete, "\(path)/\(m2User.id)", token: owner).expectError(404, "not_found")
            let left = try await api.request(.get, path, token: owner).decode(DataList<Membership>.self).data
            #expect(left.map(\.userId) == [ownerUser.id])
        }
    }

    @Test func listIsMostRecentFirstWithUnreadCounts() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let older = try await api.createGroup(token: alice, members: ["bob"])
            let newer = try await api.createGroup(token: alice, members: ["bob"])
            _ = try await api.send("one", to: older.id, token: alice)
            let last = try await api.send("two and a very long message that goes on well past eighty characters of text, really", to: older.id, token: alice)
            let list = try await api.request(.get, "/v1/conversations", token: bob).decode(DataList<Conversation>.self).data
            #expect(list.map(\.id) == [older.id, newer.id])
            #expect(list[0].unreadCount == 2)
            #expect(list[0].lastSequence == 2)
            #expect(list[0].lastMessagePreview == String(last.body!.prefix(80)))
            #expect(list[0].memberExternalIds?.sorted() == ["alice", "bob"])
            let aliceView = try await api.request(.get, "/v1/conversations/\(older.id)", token: alice).decode(Conversation.self)
            #expect(aliceView.unreadCount == 0, "sending advances the sender's own read cursor")
            try await api.request(.post, "/v1/conversations/\(older.id)/read", token: bob, json: ["message_id": .string(last.id)])
            let bobView = try await api.request(.get, "/v1/conversations/\(older.id)", token: bob).decode(Conversation.self)
            #expect(bobView.unreadCount == 0)
        }
    }

    @Test func unreadCountsSkipDeletedAndOwnMessages() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let first = try await api.send("1", to: group.id, token: bob)
            _ = try await api.send("2", to: group.id, token: bob)
            _ = try await api.send("3", to: group.id, token: bob)
            func unread(_ token: String) async throws -> Int? {
                try await api.request(.get, "/v1/conversations/\(group.id)", token: token).decode(Conversation.self).unreadCount
            }
            #expect(try await unread(alice) == 3)
            #expect(try await unread(bob) == 0)
            try await api.request(.delete, "/v1/messages/\(first.id)", token: bob)
            #expect(try await unread(alice) == 2)
            _ = try await api.send("mine", to: group.id, token: alice)
            #expect(try await unread(alice) == 0, "sending reads everything before it")
            #expect(try await unread(bob) == 1)
            let listed = try await api.request(.get, "/v1/conversations", token: bob).decode(DataList<Conversation>.self).data
            #expect(listed.first?.unreadCount == 1)
        }
    }

    @Test func nonMembersGetNotFound() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, eve) = try await api.login("eve")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            for path in ["", "/members", "/messages"] {
                try await api.request(.get, "/v1/conversations/\(group.id)\(path)", token: eve).expectError(404, "not_found")
            }
            try await api.request(.patch, "/v1/conversations/\(group.id)", token: eve, json: ["name": "x"])
                .expectError(404, "not_found")
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: eve, json: ["body": "x"])
                .expectError(404, "not_found")
            try await api.request(.get, "/v1/conversations/\(UUID().uuidString)", token: eve).expectError(404, "not_found")
        }
    }
}
