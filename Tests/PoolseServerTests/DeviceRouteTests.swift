import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// `POST /v1/devices`, `DELETE /v1/devices/:token`, `GET /v1/me/devices`.
@Suite("Device routes")
struct DeviceRouteTests {
    @Test func registeringIsAnUpsertKeyedByTokenWithDefaultKinds() async throws {
        try await ServerFixture.open().run { api in
            let (user, token) = try await api.login("device-owner")
            let first = try await api.request(.post, "/v1/devices", token: token,
                                              json: ["token": "apns-voip-1", "platform": "ios"])
            #expect(first.status == 201)
            #expect(first.json.objectValue?["token"] == nil)
            let voip = try first.decode(Device.self)
            #expect(voip.kind == .voip)
            #expect(voip.environment == .production)
            #expect(voip.userId == user.id)

            let again = try await api.request(.post, "/v1/devices", token: token,
                                              json: ["token": "apns-voip-1", "platform": "ios", "environment": "sandbox"])
            let updated = try again.decode(Device.self)
            #expect(updated.id == voip.id)
            #expect(updated.environment == .sandbox)
            #expect(updated.lastRegisteredAt >= voip.lastRegisteredAt)

            let android = try await api.request(.post, "/v1/devices", token: token,
                                                json: ["token": "fcm:abc-123", "platform": "android"]).decode(Device.self)
            #expect(android.kind == .alert)
            let listed = try await api.request(.get, "/v1/me/devices", token: token).decode(DataList<Device>.self)
            #expect(Set(listed.data.map(\.id)) == [voip.id, android.id])
        }
    }

    @Test func aTokenRegisteredByAnotherUserMovesToTheCaller() async throws {
        try await ServerFixture.open().run { api in
            let (_, firstToken) = try await api.login("first-holder")
            let (second, secondToken) = try await api.login("second-holder")
            let original = try await api.request(.post, "/v1/devices", token: firstToken,
                                                 json: ["token": "shared-token", "platform": "ios", "kind": "alert"])
                .decode(Device.self)
            let moved = try await api.request(.post, "/v1/devices", token: secondToken,
                                              json: ["token": "shared-token", "platform": "ios", "kind": "alert"])
                .decode(Device.self)
            #expect(moved.id == original.id)
            #expect(moved.userId == second.id)
            #expect(try await api.request(.get, "/v1/me/devices", token: firstToken).decode(DataList<Device>.self).data.isEmpty)
            #expect(try await api.request(.get, "/v1/me/devices", token: secondToken).decode(DataList<Device>.self).data.count == 1)
        }
    }

    @Test func unregisteringForgetsOnlyTheCallersToken() async throws {
        try await ServerFixture.open().run { api in
            let (_, token) = try await api.login("unregister-owner")
            let (_, otherToken) = try await api.login("unregister-other")
            _ = try await api.request(.post, "/v1/devices", token: token, json: ["token": "fcm:keep-me", "platform": "android"])
            // Someone else's token is untouched (and no error tells them it exists).
            #expect(try await api.request(.delete, "/v1/devices/fcm%3Akeep-me", token: otherToken).status == 204)
            #expect(try await api.request(.get, "/v1/me/devices", token: token).decode(DataList<Device>.self).data.count == 1)
            #expect(try await api.request(.delete, "/v1/devices/fcm%3Akeep-me", token: token).status == 204)
            #expect(try await api.request(.get, "/v1/me/devices", token: token).decode(DataList<Device>.self).data.isEmpty)
        }
    }

    @Test func badRegistrationsAreRefused() async throws {
        try await ServerFixture.open().run { api in
            let (_, token) = try await api.login("bad-device")
            let cases: [(JSONValue, String)] = [
                (["token": "  ", "platform": "ios"], "token"),
                (["token": .string(String(repeating: "a", count: 4097)), "platform": "ios"], "token"),
                (["token": "t", "platform": "windows"], "platform"),
                (["token": "t", "platform": "ios", "environment": "staging"], "environment"),
                (["token": "t", "platform": "ios", "kind": "silent"], "kind"),
                (["token": "t", "platform": "android", "kind": "voip"], "kind"),
            ]
            for (body, field) in cases {
                let result = try await api.request(.post, "/v1/devices", token: token, json: body)
                result.expectError(422, "validation_failed")
                #expect(result.json.objectValue?["error"]?.objectValue?["details"]?.objectValue?[field] != nil, "\(body)")
            }
            try await api.request(.post, "/v1/devices", token: api.server.apiKey, json: ["token": "t", "platform": "ios"])
                .expectError(401, "unauthorized")
        }
    }
}
