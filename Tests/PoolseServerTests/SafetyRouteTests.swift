import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Issue 13: block, mute, report, ban, freeze and moderator deletion over REST.
@Suite("Safety and moderation")
struct SafetyRouteTests {
    @Test func blockingHidesTheBlockedUsersMessagesFromTheBlocker() async throws {
        try await ServerFixture.open().run { api in
            let (ann, annToken) = try await api.login("ann")
            let (ben, benToken) = try await api.login("ben")
            let (_, carolToken) = try await api.login("carol")
            let group = try await api.createGroup(token: annToken, members: ["ben", "carol"])
            let root = try await api.send("root", to: group.id, token: carolToken)
            _ = try await api.send("before", to: group.id, token: benToken)

            let blocked = try await api.request(.post, "/v1/me/blocks", token: annToken, json: ["user_id": .string(ben.id)])
            #expect(blocked.status == 201)
            #expect(try blocked.decode(Block.self).userId == ben.id)
            let listed = try await api.request(.get, "/v1/me/blocks", token: annToken).decode(DataList<Block>.self).data
            #expect(listed.map(\.userId) == [ben.id])

            _ = try await api.send("hidden", to: group.id, token: benToken)
            _ = try await api.send("in thread", to: group.id, token: benToken, extra: ["reply_to_id": .string(root.id)])
            _ = try await api.send("visible", to: group.id, token: carolToken)
            let path = "/v1/conversations/\(group.id)/messages"
            let annFeed = try await api.request(.get, path, token: annToken).decode(DataList<Message>.self).data
            #expect(annFeed.map(\.body) == ["visible", "root"], "the blocked sender's messages are left out, earlier ones too")
            let carolFeed = try await api.request(.get, path, token: carolToken).decode(DataList<Message>.self).data
            #expect(carolFeed.count == 4, "others still see everything")
            let catchUp = try await api.request(.get, "\(path)?after=0", token: annToken).decode(DataList<Message>.self).data
            #expect(!catchUp.contains { $0.senderId == ben.id })
            let replies = try await api.request(.get, "/v1/messages/\(root.id)/replies", token: annToken)
                .decode(DataList<Message>.self).data
            #expect(replies.isEmpty)
            // The blocked user is not told: their own view is unchanged.
            let benFeed = try await api.request(.get, path, token: benToken).decode(DataList<Message>.self).data
            #expect(benFeed.count == 4)

            try await api.request(.post, "/v1/me/blocks", token: annToken, json: ["user_id": .string(ann.id)])
                .expectError(422, "validation_failed")
            try await api.request(.post, "/v1/me/blocks", token: annToken, json: ["user_id": .string(UUID().uuidString.lowercased())])
                .expectError(404, "not_found")

            #expect(try await api.request(.delete, "/v1/me/blocks/\(ben.id)", token: annToken).status == 204)
            #expect(try await api.request(.delete, "/v1/me/blocks/\(ben.id)", token: annToken).status == 204)
            let after = try await api.request(.get, path, token: annToken).decode(DataList<Message>.self).data
            #expect(after.count == 4, "unblocking restores delivery")
        }
    }

    @Test func aBlockedUserCannotStartOrWriteInADirectConversation() async throws {
        try await ServerFixture.open().run { api in
            let (ann, annToken) = try await api.login("ann")
            let (ben, benToken) = try await api.login("ben")
            let direct = try await api.request(.post, "/v1/conversations", token: benToken,
                                               json: ["type": "direct", "member_external_ids": ["ann"]]).decode(Conversation.self)
            _ = try await api.request(.post, "/v1/me/blocks", token: annToken, json: ["user_id": .string(ben.id)])
            try await api.request(.post, "/v1/conversations/\(direct.id)/messages", token: benToken, json: ["body": "hi"])
                .expectError(403, "blocked")
            // The blocker can still write, and a new direct conversation from the blocked user is refused.
            #expect(try await api.request(.post, "/v1/conversations/\(direct.id)/messages", token: annToken,
                                          json: ["body": "why"]).status == 201)
            let (_, carolToken) = try await api.login("carol")
            _ = try await api.request(.post, "/v1/me/blocks", token: carolToken, json: ["user_id": .string(ben.id)])
            try await api.request(.post, "/v1/conversations", token: benToken,
                                  json: ["type": "direct", "member_external_ids": ["carol"]]).expectError(403, "blocked")
            _ = ann
        }
    }

    @Test func mutingAndBlockingSilenceMentions() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), ben = try await server.user("ben"), carol = try await server.user("carol")
            let room = try await server.conversation(owner: ann, members: [ben, carol])
            let benSocket = try await server.socket(ben), carolSocket = try await server.socket(carol)
            try await benSocket.join("user:\(ben.id)", joinRef: "1")
            try await carolSocket.join("user:\(carol.id)", joinRef: "1")

            let muted = try await server.ok(.put, "/v1/conversations/\(room)/mute", token: ben.token, body: [:])
            #expect(muted.member("muted_until") != .null)
            try await server.ok(.post, "/v1/me/blocks", token: carol.token, body: ["user_id": .string(ann.id)])
            try await server.send("hey both", in: room, as: ann, mentions: [ben.id, carol.id])
            try await server.ok(.delete, "/v1/conversations/\(room)/mute", token: ben.token)
            try await server.send("hey again", in: room, as: ann, mentions: [ben.id, carol.id])
            // Ben hears only the mention made after unmuting; carol, who blocks ann, hears none.
            let mention = try await benSocket.expect("mention:new")
            let feed = try await server.ok(.get, "/v1/conversations/\(room)/messages?limit=1", token: ben.token)
            #expect(mention.payload.member("message_id") == feed.member("data").arrayValue?.first?.member("id"))
            carolSocket.push("phoenix", "heartbeat", ref: "9")
            let seen = try await carolSocket.collect { $0.event == "phx_reply" && $0.ref == "9" }
            #expect(!seen.contains { $0.event == "mention:new" })
            let badMute = try await server.call(.put, "/v1/conversations/\(room)/mute", token: ben.token,
                                                body: ["until": "2001-01-01T00:00:00Z"])
            #expect(badMute.status == 422)
        }
    }

    @Test func reportsKeepTheEvidenceAndStayInTheirTenant() async throws {
        try await ServerFixture.open().run { api in
            let (_, annToken) = try await api.login("ann")
            let (ben, benToken) = try await api.login("ben")
            let (_, outsiderToken) = try await api.login("outsider")
            let group = try await api.createGroup(token: annToken, members: ["ben"])
            let abusive = try await api.send("something awful", to: group.id, token: benToken)

            try await api.request(.post, "/v1/reports", token: outsiderToken,
                                  json: ["message_id": .string(abusive.id), "reason": "harassment"]).expectError(404, "not_found")
            try await api.request(.post, "/v1/reports", token: annToken,
                                  json: ["message_id": .string(abusive.id), "reason": "rude"]).expectError(422, "validation_failed")
            try await api.request(.post, "/v1/reports", token: annToken,
                                  json: ["message_id": .string(abusive.id), "user_id": .string(ben.id), "reason": "spam"])
                .expectError(422, "validation_failed")
            let created = try await api.request(.post, "/v1/reports", token: annToken,
                                                json: ["message_id": .string(abusive.id), "reason": "harassment", "note": "again"])
            #expect(created.status == 201)
            let report = try created.decode(Report.self)
            #expect(report.userId == ben.id)
            #expect(report.status == .open)
            _ = try await api.request(.post, "/v1/reports", token: annToken, json: ["user_id": .string(ben.id), "reason": "spam"])
            #expect(try await api.request(.delete, "/v1/messages/\(abusive.id)", token: benToken).status == 204)

            // The operator sees both, with the body as it was, one page at a time.
            let first = try await api.request(.get, "/v1/reports?status=open&limit=1", token: api.server.apiKey).json
            let firstData = try #require(first.objectValue?["data"]?.arrayValue)
            #expect(firstData.count == 1)
            #expect(firstData[0].objectValue?["message_body"] == "something awful")
            let cursor = try #require(first.objectValue?["next_cursor"]?.stringValue)
            let second = try await api.request(.get, "/v1/reports?status=open&limit=1&cursor=\(cursor)", token: api.server.apiKey).json
            #expect(second.objectValue?["data"]?.arrayValue?.first?.objectValue?["user_id"] == .string(ben.id))
            #expect(second.objectValue?["data"]?.arrayValue?.first?.objectValue?["message_id"]?.stringValue == nil)

            // Another tenant sees none of them and can't touch them.
            let otherKey = try await api.server.makeTenant()
            let foreign = try await api.request(.get, "/v1/reports", token: otherKey).json
            #expect(foreign.objectValue?["data"]?.arrayValue?.isEmpty == true)
            try await api.request(.patch, "/v1/reports/\(report.id)", token: otherKey, json: ["status": "resolved"])
                .expectError(404, "not_found")
            try await api.request(.get, "/v1/reports", token: annToken).expectError(401, "unauthorized")

            let resolved = try await api.request(.patch, "/v1/reports/\(report.id)", token: api.server.apiKey,
                                                 json: ["status": "resolved", "resolution_note": "user banned"])
            #expect(try resolved.decode(Report.self).status == .resolved)
            #expect(try resolved.decode(Report.self).resolvedAt != nil)
            try await api.request(.patch, "/v1/reports/\(report.id)", token: api.server.apiKey, json: ["status": "open"])
                .expectError(422, "validation_failed")
            let open = try await api.request(.get, "/v1/reports?status=open", token: api.server.apiKey).json
            #expect(open.objectValue?["data"]?.arrayValue?.count == 1)
        }
    }

    @Test func bansRemoveAndKeepOut() async throws {
        try await ServerFixture.open().run { api in
            let (_, ownerToken) = try await api.login("owner")
            let (ben, benToken) = try await api.login("ben")
            let (carol, carolToken) = try await api.login("carol")
            let group = try await api.createGroup(token: ownerToken, members: ["ben", "carol"])
            let bans = "/v1/conversations/\(group.id)/bans"
            try await api.request(.post, bans, token: carolToken, json: ["user_id": .string(ben.id)])
                .expectError(403, "forbidden")
            let ban = try await api.request(.post, bans, token: ownerToken, json: ["user_id": .string(ben.id), "reason": "spam"])
            #expect(ban.status == 201)
            #expect(try ban.decode(Ban.self).bannedBy != nil)
            // Removed, unable to read, and can't be added back.
            try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: benToken).expectError(404, "not_found")
            try await api.request(.post, "/v1/conversations/\(group.id)/members", token: ownerToken,
                                  json: ["external_ids": ["ben"]]).expectError(403, "banned")
            let listed = try await api.request(.get, bans, token: ownerToken).decode(DataList<Ban>.self).data
            #expect(listed.map(\.userId) == [ben.id])
            try await api.request(.get, bans, token: carolToken).expectError(403, "forbidden")
            // The API key moderates too.
            let byKey = try await api.request(.post, bans, token: api.server.apiKey, json: ["user_id": .string(carol.id)])
            #expect(byKey.status == 201)
            #expect(try byKey.decode(Ban.self).bannedBy == nil)
            #expect(try await api.request(.delete, "\(bans)/\(ben.id)", token: api.server.apiKey).status == 204)
            #expect(try await api.request(.post, "/v1/conversations/\(group.id)/members", token: ownerToken,
                                          json: ["external_ids": ["ben"]]).status == 200)
            // A ban whose time has passed no longer keeps anyone out.
            try await api.server.app.store.transaction { q in
                try await q.upsertBan(Ban(conversationId: group.id, userId: carol.id, bannedBy: nil, reason: nil,
                                          until: Date(timeIntervalSinceNow: -1), insertedAt: Date()),
                                      tenantId: carol.tenantId)
            }
            #expect(try await api.request(.post, "/v1/conversations/\(group.id)/members", token: ownerToken,
                                          json: ["external_ids": ["carol"]]).status == 200)
            try await api.request(.post, bans, token: ownerToken,
                                  json: ["user_id": .string(ben.id), "until": "2001-01-01T00:00:00Z"]).expectError(422, "validation_failed")
            let otherKey = try await api.server.makeTenant()
            try await api.request(.post, bans, token: otherKey, json: ["user_id": .string(ben.id)]).expectError(404, "not_found")
        }
    }

    @Test func aFrozenConversationTakesWritesOnlyFromItsManagers() async throws {
        try await ServerFixture.open().run { api in
            let (_, ownerToken) = try await api.login("owner")
            let (_, benToken) = try await api.login("ben")
            let group = try await api.createGroup(token: ownerToken, members: ["ben"])
            let earlier = try await api.send("before the freeze", to: group.id, token: benToken)
            try await api.request(.patch, "/v1/conversations/\(group.id)", token: benToken, json: ["frozen": true])
                .expectError(403, "forbidden")
            let frozen = try await api.request(.patch, "/v1/conversations/\(group.id)", token: api.server.apiKey,
                                               json: ["frozen": true])
            #expect(try frozen.decode(Conversation.self).frozen)
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: benToken, json: ["body": "x"])
                .expectError(403, "conversation_frozen")
            try await api.request(.post, "/v1/messages/\(earlier.id)/reactions", token: benToken, json: ["emoji": "👍"])
                .expectError(403, "conversation_frozen")
            try await api.request(.patch, "/v1/messages/\(earlier.id)", token: benToken, json: ["body": "edit"])
                .expectError(403, "conversation_frozen")
            #expect(try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: ownerToken,
                                          json: ["body": "announcement"]).status == 201)
            _ = try await api.request(.patch, "/v1/conversations/\(group.id)", token: ownerToken, json: ["frozen": false])
            #expect(try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: benToken,
                                          json: ["body": "thawed"]).status == 201)
        }
    }

    @Test func moderatorsDeleteOthersMessagesAndTheKeyDeletesAUsersMessages() async throws {
        try await ServerFixture.open { $0.rateLimits = RateLimits().scaled(by: 100) }.run { api in
            let (_, ownerToken) = try await api.login("owner")
            let (spammer, spammerToken) = try await api.login("spammer")
            let (_, carolToken) = try await api.login("carol")
            let group = try await api.createGroup(token: ownerToken, members: ["spammer", "carol"])
            let other = try await api.createGroup(token: spammerToken, members: ["carol"])
            let first = try await api.send("buy now", to: group.id, token: spammerToken)
            try await api.request(.delete, "/v1/messages/\(first.id)", token: carolToken).expectError(403, "forbidden")
            #expect(try await api.request(.delete, "/v1/messages/\(first.id)", token: ownerToken).status == 204)
            let second = try await api.send("buy now!", to: other.id, token: spammerToken)
            #expect(try await api.request(.delete, "/v1/messages/\(second.id)", token: api.server.apiKey).status == 204)
            for index in 0..<(MessageService.bulkDeletionBatch + 20) {
                _ = try await api.send("spam \(index)", to: index % 2 == 0 ? group.id : other.id, token: spammerToken)
            }
            let accepted = try await api.request(.delete, "/v1/users/\(spammer.id)/messages", token: api.server.apiKey)
            #expect(accepted.status == 202)
            #expect(try accepted.decode(BulkDeletionAccepted.self).messageCount == MessageService.bulkDeletionBatch + 20)
            let store = api.server.app.store
            let tenantId = spammer.tenantId
            try await eventually { (try? await store.read { try await $0.liveMessageCount(senderId: spammer.id, tenantId: tenantId) }) == 0 }
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages?limit=200", token: carolToken)
                .decode(DataList<Message>.self).data
            #expect(feed.allSatisfy { $0.deletedAt != nil })
            try await api.request(.delete, "/v1/users/\(spammer.id)/messages", token: ownerToken).expectError(401, "unauthorized")
        }
    }
}
