import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Admin routes (API key)")
struct AdminRouteTests {
    @Test func createUserIsIdempotentOnExternalId() async throws {
        try await ServerFixture.open().run { api in
            let first = try await api.request(.post, "/v1/users", token: api.server.apiKey,
                                              json: ["external_id": "alice", "display_name": "Alice"])
            #expect(first.status == 201)
            let again = try await api.request(.post, "/v1/users", token: api.server.apiKey,
                                              json: ["external_id": "alice", "display_name": "Other"])
            #expect(again.status == 200)
            let a = try first.decode(User.self), b = try again.decode(User.self)
            #expect(a.id == b.id)
            #expect(b.displayName == "Alice")
            #expect(a.tenantId == api.server.tenantId)
        }
    }

    @Test func getAndPatchUser() async throws {
        try await ServerFixture.open().run { api in
            let user = try await api.createUser("bob")
            let fetched = try await api.request(.get, "/v1/users/\(user.id)", token: api.server.apiKey)
            #expect(try fetched.decode(User.self).externalId == "bob")
            let patched = try await api.request(.patch, "/v1/users/\(user.id)", token: api.server.apiKey,
                                                json: ["display_name": "Bob", "custom_data": ["plan": "pro"]])
            let updated = try patched.decode(User.self)
            #expect(updated.displayName == "Bob")
            #expect(updated.customData?["plan"] == "pro")
            let cleared = try await api.request(.patch, "/v1/users/\(user.id)", token: api.server.apiKey,
                                                json: ["display_name": nil])
            #expect(try cleared.decode(User.self).displayName == nil)
            #expect(try cleared.decode(User.self).customData?["plan"] == "pro")
        }
    }

    @Test func mintedTokenAuthenticatesTheUserAndRespectsTTL() async throws {
        try await ServerFixture.open().run { api in
            let user = try await api.createUser("carol")
            let minted = try await api.request(.post, "/v1/users/\(user.id)/tokens", token: api.server.apiKey,
                                               json: ["ttl_seconds": 120])
            #expect(minted.status == 201)
            let token = try minted.decode(TokenResponse.self)
            #expect(token.userId == user.id)
            #expect(abs(token.expiresAt.timeIntervalSinceNow - 120) < 5)
            let me = try await api.request(.get, "/v1/me", token: token.token)
            #expect(try me.decode(User.self).id == user.id)
            let tooLong = try await api.request(.post, "/v1/users/\(user.id)/tokens", token: api.server.apiKey,
                                                json: ["ttl_seconds": 86_401])
            tooLong.expectError(422, "validation_failed")
        }
    }

    @Test func blockedUserCannotGetTokensOrUseThem() async throws {
        try await ServerFixture.open().run { api in
            let (user, token) = try await api.login("dave")
            try await api.request(.patch, "/v1/users/\(user.id)", token: api.server.apiKey, json: ["is_blocked": true])
            try await api.request(.get, "/v1/me", token: token).expectError(403, "user_blocked")
            try await api.request(.post, "/v1/users/\(user.id)/tokens", token: api.server.apiKey)
                .expectError(403, "user_blocked")
            try await api.request(.patch, "/v1/users/\(user.id)", token: api.server.apiKey, json: ["is_blocked": false])
            #expect(try await api.request(.get, "/v1/me", token: token).status == 200)
        }
    }

    @Test func adminRoutesRefuseMissingWrongAndRevokedCredentials() async throws {
        let server = try await ServerFixture.open()
        try await server.run { api in
            try await api.request(.post, "/v1/users", json: ["external_id": "x"]).expectError(401, "unauthorized")
            try await api.request(.post, "/v1/users", token: "pk_live_notarealkey", json: ["external_id": "x"])
                .expectError(401, "unauthorized")
            let (_, userToken) = try await api.login("erin")
            try await api.request(.post, "/v1/users", token: userToken, json: ["external_id": "x"])
                .expectError(401, "unauthorized")
            try await api.request(.get, "/v1/me", token: api.server.apiKey).expectError(401, "unauthorized")
            try await server.app.admin.revokeKey(APIKeys.prefix(server.apiKey))
            try await api.request(.post, "/v1/users", token: server.apiKey, json: ["external_id": "x"])
                .expectError(401, "unauthorized")
        }
    }

    @Test func unknownAndMalformedUserIds() async throws {
        try await ServerFixture.open().run { api in
            try await api.request(.get, "/v1/users/\(UUID().uuidString.lowercased())", token: api.server.apiKey)
                .expectError(404, "not_found")
            try await api.request(.get, "/v1/users/not-a-uuid", token: api.server.apiKey).expectError(400, "bad_request")
            try await api.request(.post, "/v1/users", token: api.server.apiKey, json: ["external_id": ""])
                .expectError(422, "validation_failed")
            try await api.request(.post, "/v1/users", token: api.server.apiKey, json: [:])
                .expectError(422, "validation_failed")
        }
    }
}
