import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Tenants never see each other")
struct TenantIsolationTests {
    @Test func anotherTenantsUsersConversationsAndMessagesAreNotFound() async throws {
        let server = try await ServerFixture.open()
        let otherKey = try await server.makeTenant()
        try await server.run { api in
            let (aliceUser, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let message = try await api.send("secret", to: group.id, token: alice)

            // Same external id in the other tenant is a different user.
            let (mallory, malloryToken) = try await api.login("alice", apiKey: otherKey)
            #expect(mallory.id != aliceUser.id)
            try await api.request(.get, "/v1/users/\(aliceUser.id)", token: otherKey).expectError(404, "not_found")
            try await api.request(.patch, "/v1/users/\(aliceUser.id)", token: otherKey, json: ["is_blocked": true])
                .expectError(404, "not_found")
            try await api.request(.post, "/v1/users/\(aliceUser.id)/tokens", token: otherKey).expectError(404, "not_found")
            try await api.request(.get, "/v1/conversations/\(group.id)", token: malloryToken).expectError(404, "not_found")
            try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: malloryToken)
                .expectError(404, "not_found")
            try await api.request(.patch, "/v1/messages/\(message.id)", token: malloryToken, json: ["body": "x"])
                .expectError(404, "not_found")
            try await api.request(.delete, "/v1/messages/\(message.id)", token: malloryToken).expectError(404, "not_found")
            try await api.request(.post, "/v1/messages/\(message.id)/reactions", token: malloryToken, json: ["emoji": "x"])
                .expectError(404, "not_found")
            try await api.request(.get, "/v1/messages/\(message.id)/replies", token: malloryToken)
                .expectError(404, "not_found")
            let list = try await api.request(.get, "/v1/conversations", token: malloryToken).decode(DataList<Conversation>.self)
            #expect(list.data.isEmpty)
            // A message id from another tenant can't be reused to probe it.
            let other = try await api.createGroup(token: malloryToken, members: [])
            try await api.request(.post, "/v1/conversations/\(other.id)/messages", token: malloryToken,
                                  json: ["id": .string(message.id), "body": "x"]).expectError(409, "conflict")
            // Lazily provisioned ids stay inside the tenant.
            let bobHere = try await api.request(.post, "/v1/users", token: otherKey, json: ["external_id": "bob"])
            #expect(bobHere.status == 201)
            let stillSecret = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(stillSecret.first?.body == "secret")
        }
    }
}
