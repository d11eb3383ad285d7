import Foundation
import Testing

@testable import Poolse

/// `chat.devices` sends the routes and bodies of the protocol.
@Suite("Devices resource")
struct DevicesResourceTests {
    @Test func registerUnregisterAndListUseTheirRoutes() async throws {
        let device = """
            {"id":"d-1","tenant_id":"t-1","user_id":"u-1","platform":"ios","environment":"sandbox","kind":"alert",
             "last_registered_at":"2026-12-01T10:00:00.000000Z","inserted_at":"2026-12-01T10:00:00.000000Z",
             "updated_at":"2026-12-01T10:00:00.000000Z"}
            """
        let transport = MockTransport(fallback: .json(201, device))
        let chat = makeClient(transport)
        let registered = try await chat.devices.register(token: "abc123", platform: .ios, environment: .sandbox, kind: .alert)
        _ = try await chat.devices.register(token: "fcm:token/x", platform: .android)
        try await chat.devices.unregister(token: "fcm:token/x")
        _ = try? await chat.devices.list()
        #expect(registered.kind == .alert)
        #expect(registered.environment == .sandbox)
        let requests = await transport.requests
        #expect(requests.map(\.method) == [.post, .post, .delete, .get])
        #expect(requests.map(\.url.path) == ["/v1/devices", "/v1/devices", "/v1/devices/fcm:token/x", "/v1/me/devices"])
        #expect(requests[0].jsonBody == ["token": "abc123", "platform": "ios", "environment": "sandbox", "kind": "alert"])
        #expect(requests[1].jsonBody == ["token": "fcm:token/x", "platform": "android"])
        // The token is one path segment, whatever it contains.
        #expect(requests[2].url.absoluteString.hasSuffix("/v1/devices/fcm%3Atoken%2Fx"))
    }
}
