import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The before-send hook over real HTTP: configuration, then allow, reject, modify and the
/// failure paths with `fail_open` on and off.
@Suite struct BeforeSendHookTests {
    static let secret = "a-shared-secret-1234567890"

    /// A server allowed to call loopback, a started receiver, the hook configured, a group with a
    /// sender; `body` gets the client, the receiver, the sender's token and the conversation id.
    /// The default timeout is the longest allowed: on a machine running the whole PostgreSQL
    /// suite an answer can take more than the 1 s default, and only the failure tests want one.
    private func withHook(timeoutMs: Int = 10_000, failOpen: Bool = true,
                          _ body: @Sendable (APIClient, HookReceiver, String, String) async throws -> Void) async throws {
        let receiver = HookReceiver(secret: Self.secret)
        try await receiver.start()
        let server = try await ServerFixture.open { $0.allowPrivateWebhooks = true }
        try await server.run { api in
            let put = try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey, json: [
                "url": .string(receiver.url), "timeout_ms": .number(Double(timeoutMs)), "fail_open": .bool(failOpen),
                "secret": .string(Self.secret),
            ])
            #expect(put.status == 200, "\(String(decoding: put.body, as: UTF8.self))")
            let (_, token) = try await api.login("hook-sender")
            let group = try await api.createGroup(token: token, members: ["hook-reader"])
            try await body(api, receiver, token, group.id)
        }
        await receiver.stop()
    }

    private func post(_ api: APIClient, _ text: String, to conversationId: String, token: String) async throws -> APIResult {
        try await api.request(.post, "/v1/conversations/\(conversationId)/messages", token: token, json: ["body": .string(text)])
    }

    private func storedBodies(_ api: APIClient, _ conversationId: String, token: String) async throws -> [String?] {
        let feed = try await api.request(.get, "/v1/conversations/\(conversationId)/messages", token: token)
        return try feed.decode(DataList<Message>.self).data.map(\.body)
    }

    @Test func allowStoresTheMessageAndTheHookSeesItSigned() async throws {
        try await withHook { api, receiver, token, conversationId in
            let sent = try await post(api, "hello there", to: conversationId, token: token)
            #expect(sent.status == 201)
            let message = try sent.decode(Message.self)
            #expect(message.body == "hello there")
            let call = try #require(receiver.calls.first)
            #expect(call.signatureValid)
            #expect(call.json["event"] as? String == "message.before_send")
            #expect(call.json["conversation_id"] as? String == conversationId)
            #expect((call.json["sender"] as? [String: Any])?["external_id"] as? String == "hook-sender")
            let draft = try #require(call.json["message"] as? [String: Any])
            #expect(draft["id"] as? String == message.id)
            #expect(draft["body"] as? String == "hello there")
            #expect(draft["type"] as? String == "text")
        }
    }

    @Test func aResendOfAStoredIdIsNotAskedAgain() async throws {
        try await withHook { api, receiver, token, conversationId in
            let id = UUID().uuidString.lowercased()
            let body: JSONValue = ["id": .string(id), "body": "once"]
            let first = try await api.request(.post, "/v1/conversations/\(conversationId)/messages", token: token, json: body)
            #expect(first.status == 201)
            receiver.script([.reject("would refuse")])
            let again = try await api.request(.post, "/v1/conversations/\(conversationId)/messages", token: token, json: body)
            #expect(again.status == 200)
            #expect(receiver.calls.count == 1)
        }
    }

    @Test func rejectRefusesTheMessageWithTheHooksReason() async throws {
        try await withHook { api, receiver, token, conversationId in
            receiver.script([.reject("no links please"), .reject(nil)])
            let refused = try await post(api, "buy now http://spam", to: conversationId, token: token)
            refused.expectError(422, "rejected_by_hook")
            #expect(refused.json.objectValue?["error"]?.objectValue?["message"]?.stringValue == "no links please")
            try await post(api, "again", to: conversationId, token: token).expectError(422, "rejected_by_hook")
            #expect(try await storedBodies(api, conversationId, token: token).isEmpty)
        }
    }

    @Test func modifyStoresTheHooksBody() async throws {
        try await withHook { api, receiver, token, conversationId in
            receiver.script([.modify("hello ***")])
            let sent = try await post(api, "hello damn", to: conversationId, token: token)
            #expect(sent.status == 201)
            #expect(try sent.decode(Message.self).body == "hello ***")
            #expect(try await storedBodies(api, conversationId, token: token) == ["hello ***"])
        }
    }

    @Test func aSlowOrBrokenHookFailsOpen() async throws {
        try await withHook(timeoutMs: 2_000, failOpen: true) { api, receiver, token, conversationId in
            receiver.script([.slow(.seconds(15)), .serverError, .garbage, .modify("   ")])
            for text in ["one", "two", "three", "four"] {
                let sent = try await post(api, text, to: conversationId, token: token)
                #expect(sent.status == 201)
            }
            let stored = try await storedBodies(api, conversationId, token: token)
            #expect(stored == ["four", "three", "two", "one"])
            // On a loaded machine the timeout can cut the slow call before the receiver
            // has read it; every other call reaches it.
            #expect(receiver.calls.count >= 3)
        }
    }

    @Test func aSlowOrBrokenHookFailsClosedWhenAskedTo() async throws {
        try await withHook(timeoutMs: 2_000, failOpen: false) { api, receiver, token, conversationId in
            receiver.script([.slow(.seconds(15)), .serverError, .modify("")])
            for text in ["one", "two", "three"] {
                try await post(api, text, to: conversationId, token: token).expectError(503, "unavailable")
            }
            #expect(try await storedBodies(api, conversationId, token: token).isEmpty)
            // A working answer lets messages through again.
            #expect(try await post(api, "four", to: conversationId, token: token).status == 201)
        }
    }

    @Test func nonMembersNeverReachTheHook() async throws {
        try await withHook { api, receiver, _, conversationId in
            let (_, outsider) = try await api.login("outsider")
            try await post(api, "let me in", to: conversationId, token: outsider).expectError(404, "not_found")
            #expect(receiver.calls.isEmpty)
        }
    }

    @Test func configurationIsValidatedShownWithoutTheSecretAndSealed() async throws {
        let server = try await ServerFixture.open { $0.secretsKey = PushSettingsRouteTests.secretsKey }
        try await server.run { api in
            // Loopback is refused without --allow-private-webhooks; so are private and metadata addresses.
            for url in ["http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]/x",
                        "http://localhost/hook"] {
                let refused = try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey, json: ["url": .string(url)])
                refused.expectError(422, "validation_failed")
                #expect(refused.json.objectValue?["error"]?.objectValue?["details"]?.objectValue?["url"] != nil, "\(url)")
            }
            try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey, json: ["url": "ftp://example.com/x"])
                .expectError(422, "validation_failed")
            try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey,
                                  json: ["url": "https://93.184.216.34/hook", "timeout_ms": 10_001]).expectError(422, "validation_failed")
            try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey,
                                  json: ["url": "https://93.184.216.34/hook", "secret": "short"]).expectError(422, "validation_failed")
            try await api.request(.get, BeforeSendHookRoutes.path, token: server.apiKey).expectError(404, "not_found")

            // A public address literal needs no DNS; defaults: 1000 ms, fail open, a generated secret shown once.
            let put = try await api.request(.put, BeforeSendHookRoutes.path, token: server.apiKey,
                                            json: ["url": "https://93.184.216.34/hook"])
            #expect(put.status == 200)
            let shown = put.json.objectValue ?? [:]
            #expect(shown["timeout_ms"] == 1000)
            #expect(shown["fail_open"] == true)
            let secret = try #require(shown["secret"]?.stringValue)
            #expect(secret.count == 64)
            let get = try await api.request(.get, BeforeSendHookRoutes.path, token: server.apiKey)
            #expect(get.status == 200)
            #expect(get.json.objectValue?["secret"] == nil)
            #expect(get.json.objectValue?["url"]?.stringValue == "https://93.184.216.34/hook")
            let row = try #require(try await server.app.store.read { try await $0.beforeSendHook(tenantId: server.tenantId) })
            #expect(row.secret.sealed)
            #expect(!row.secret.value.contains(secret))
            #expect(try SecretSealer(passphrase: PushSettingsRouteTests.secretsKey).open(row.secret.value) == secret)

            #expect(try await api.request(.delete, BeforeSendHookRoutes.path, token: server.apiKey).status == 204)
            try await api.request(.get, BeforeSendHookRoutes.path, token: server.apiKey).expectError(404, "not_found")
        }
    }

    @Test func privateAddressesAreRecognised() {
        for address: [UInt8] in [[127, 0, 0, 1], [10, 0, 0, 1], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1],
                                 [169, 254, 169, 254], [100, 64, 0, 1], [0, 0, 0, 0], [224, 0, 0, 1],
                                 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                                 [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                                 [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                                 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1]] {
            #expect(PrivateAddressPolicy.isPrivate(address), "\(address)")
        }
        for address: [UInt8] in [[93, 184, 216, 34], [172, 32, 0, 1], [8, 8, 8, 8],
                                 [0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0, 1, 0x02, 0x48, 0x18, 0x93, 0x25, 0xC8, 0x19, 0x46]] {
            #expect(!PrivateAddressPolicy.isPrivate(address), "\(address)")
        }
    }
}
