import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Pinned messages")
struct PinRouteTests {
    @Test func ownerPinsAndUnpinsAndTheListIsNewestPinFirst() async throws {
        try await ServerFixture.open().run { api in
            let (owner, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let first = try await api.send("first", to: group.id, token: bob)
            let second = try await api.send("second", to: group.id, token: bob)

            let pinned = try await api.request(.post, "/v1/messages/\(first.id)/pin", token: alice)
            #expect(pinned.status == 200)
            let message = try pinned.decode(Message.self)
            #expect(message.pinnedBy == owner.id)
            #expect(message.pinnedAt != nil)
            // Pinning again changes nothing.
            let again = try await api.request(.post, "/v1/messages/\(first.id)/pin", token: alice).decode(Message.self)
            #expect(again.pinnedAt == message.pinnedAt)
            _ = try await api.request(.post, "/v1/messages/\(second.id)/pin", token: alice)

            let list = try await api.request(.get, "/v1/conversations/\(group.id)/pins", token: bob)
                .decode(DataList<Message>.self).data
            #expect(list.map(\.id) == [second.id, first.id])
            // The feed carries the pin too.
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: bob)
                .decode(DataList<Message>.self).data
            #expect(feed.first { $0.id == first.id }?.pinnedBy == owner.id)

            let unpinned = try await api.request(.delete, "/v1/messages/\(first.id)/pin", token: alice)
            #expect(unpinned.status == 200)
            #expect(try unpinned.decode(Message.self).pinnedAt == nil)
            #expect(unpinned.json.objectValue?["pinned_at"] == nil)
            let after = try await api.request(.get, "/v1/conversations/\(group.id)/pins", token: alice)
                .decode(DataList<Message>.self).data
            #expect(after.map(\.id) == [second.id])
        }
    }

    @Test func membersPinOnlyWhenThePolicySaysSo() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let message = try await api.send("pin me", to: group.id, token: bob)
            try await api.request(.post, "/v1/messages/\(message.id)/pin", token: bob).expectError(403, "forbidden")

            let patched = try await api.request(.patch, "/v1/conversations/\(group.id)", token: alice,
                                                json: ["settings": ["pin_policy": "members"]])
            #expect(patched.status == 200)
            #expect(try await api.request(.post, "/v1/messages/\(message.id)/pin", token: bob).status == 200)
            #expect(try await api.request(.delete, "/v1/messages/\(message.id)/pin", token: bob).status == 200)
        }
    }

    @Test func strangersAndOtherTenantsGetNotFound() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, mallory) = try await api.login("mallory")
            let group = try await api.createGroup(token: alice, members: [])
            let message = try await api.send("secret", to: group.id, token: alice)
            try await api.request(.post, "/v1/messages/\(message.id)/pin", token: mallory).expectError(404, "not_found")
            try await api.request(.get, "/v1/conversations/\(group.id)/pins", token: mallory).expectError(404, "not_found")
            let otherKey = try await api.server.makeTenant()
            let (_, eve) = try await api.login("eve", apiKey: otherKey)
            try await api.request(.post, "/v1/messages/\(message.id)/pin", token: eve).expectError(404, "not_found")
        }
    }

    @Test func theLimitIsEnforcedPerConversation() async throws {
        try await ServerFixture.open { $0.limits.maxPinsPerConversation = 3 }.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            var messages: [Message] = []
            for index in 0..<4 { messages.append(try await api.send("m\(index)", to: group.id, token: alice)) }
            for message in messages.prefix(3) {
                #expect(try await api.request(.post, "/v1/messages/\(message.id)/pin", token: alice).status == 200)
            }
            try await api.request(.post, "/v1/messages/\(messages[3].id)/pin", token: alice)
                .expectError(422, "pin_limit_reached")
            // Re-pinning a pinned message at the limit is not a new pin.
            #expect(try await api.request(.post, "/v1/messages/\(messages[0].id)/pin", token: alice).status == 200)
            // Another conversation has its own budget.
            let other = try await api.createGroup(token: alice, members: [])
            let elsewhere = try await api.send("x", to: other.id, token: alice)
            #expect(try await api.request(.post, "/v1/messages/\(elsewhere.id)/pin", token: alice).status == 200)
            // Unpinning frees a place.
            _ = try await api.request(.delete, "/v1/messages/\(messages[0].id)/pin", token: alice)
            #expect(try await api.request(.post, "/v1/messages/\(messages[3].id)/pin", token: alice).status == 200)
        }
    }

    @Test func aDeletedMessageLosesItsPinAndCannotBePinned() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let message = try await api.send("soon gone", to: group.id, token: alice)
            _ = try await api.request(.post, "/v1/messages/\(message.id)/pin", token: alice)
            #expect(try await api.request(.delete, "/v1/messages/\(message.id)", token: alice).status == 204)
            let pins = try await api.request(.get, "/v1/conversations/\(group.id)/pins", token: alice)
                .decode(DataList<Message>.self).data
            #expect(pins.isEmpty)
            try await api.request(.post, "/v1/messages/\(message.id)/pin", token: alice).expectError(409, "message_deleted")
        }
    }
}
