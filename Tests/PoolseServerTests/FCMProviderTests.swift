import _CryptoExtras
import Foundation
import Testing

@testable import PoolseServer

/// The FCM provider and its OAuth token cache against a stand-in Google on loopback.
@Suite struct FCMProviderTests {
    /// One RSA key for the suite: generating 2048-bit keys is slow.
    static let key: _RSA.Signing.PrivateKey? = try? _RSA.Signing.PrivateKey(keySize: .bits2048)

    private func withFCM(_ body: (FCMStandIn, FCMProvider, FCMAccessTokens, ManualClock) async throws -> Void) async throws {
        let key = try #require(Self.key)
        let fcm = FCMStandIn(key: key.publicKey, clientEmail: "push@poolse-test.iam.gserviceaccount.com")
        try await fcm.start()
        var configuration = PushConfiguration()
        configuration.fcmURL = fcm.baseURL
        configuration.fcmTokenURL = fcm.tokenURL
        let http = OutboundHTTPClient(configuration: configuration)
        let clock = ManualClock()
        let account = try FCMServiceAccount(json: FCMStandIn.serviceAccountJSON(key: key))
        let tokens = try FCMAccessTokens(account: account, http: http, tokenURL: configuration.fcmTokenURL, now: clock.function)
        do {
            try await body(fcm, FCMProvider(http: http, configuration: configuration), tokens, clock)
        } catch {
            await http.shutdown()
            await fcm.stop()
            throw error
        }
        await http.shutdown()
        await fcm.stop()
    }

    private func android(_ token: String = "fcm-1") -> PushDevice { PushFixtures.device(token, platform: .android) }

    @Test func alertIsANotificationMessageWithStringData() async throws {
        try await withFCM { fcm, provider, tokens, _ in
            let outcome = await provider.send(PushDelivery(device: android(), content: .alert(PushFixtures.alert)),
                                              projectId: "poolse-test", tokens: tokens)
            #expect(outcome == .delivered)
            let sent = try #require(fcm.sent.first)
            #expect(sent.projectId == "poolse-test")
            #expect(fcm.exchanges.map(\.valid) == [true])
            #expect(sent.accessToken == fcm.exchanges.first?.accessToken)
            #expect(sent.message["token"] as? String == "fcm-1")
            #expect(sent.message["notification"] as? [String: String] == ["title": "Team chat", "body": "Lunch at noon?"])
            #expect(sent.message["data"] as? [String: String] == [
                "type": "message", "conversation_id": "c-1", "message_id": "m-1", "sequence": "42", "sender_id": "u-2",
                "badge": "3",
            ])
            let androidOptions = try #require(sent.message["android"] as? [String: Any])
            #expect(androidOptions["collapse_key"] as? String == "c-1")
            #expect(androidOptions["priority"] as? String == "high")
        }
    }

    @Test func callIsADataOnlyHighPriorityMessage() async throws {
        try await withFCM { fcm, provider, tokens, _ in
            #expect(await provider.send(PushDelivery(device: android(), content: .call(PushFixtures.call)),
                                        projectId: "poolse-test", tokens: tokens) == .delivered)
            let sent = try #require(fcm.sent.first)
            #expect(sent.message["notification"] == nil)
            #expect(sent.message["data"] as? [String: String] == [
                "type": "call", "call_id": "call-1", "conversation_id": "c-1", "caller_user_id": "u-2", "caller_name": "Ada",
                "media": "video", "has_video": "true", "sent_at": "1800000000123",
            ])
            let androidOptions = try #require(sent.message["android"] as? [String: Any])
            #expect(androidOptions["priority"] as? String == "high")
            #expect(androidOptions["ttl"] as? String == "60s")
        }
    }

    @Test func everyAnswerMapsToItsOutcome() async throws {
        try await withFCM { fcm, provider, tokens, _ in
            fcm.script([.unregistered, .invalidToken, .quotaExceeded, .unavailable, .invalidPayload, .senderMismatch])
            var outcomes: [PushOutcome] = []
            for _ in 0..<6 {
                outcomes.append(await provider.send(PushDelivery(device: android(), content: .alert(PushFixtures.alert)),
                                                    projectId: "poolse-test", tokens: tokens))
            }
            #expect(outcomes[0] == .deviceGone)
            #expect(outcomes[1] == .deviceGone)
            #expect(outcomes[2] == .retry(after: nil, reason: "FCM 429 QUOTA_EXCEEDED"))
            #expect(outcomes[3] == .retry(after: nil, reason: "FCM 503 UNAVAILABLE"))
            guard case .failed = outcomes[4], case .failed = outcomes[5] else {
                Issue.record("a bad payload and a sender mismatch are failures: \(outcomes)")
                return
            }
            // One access token served all six.
            #expect(fcm.exchanges.count == 1)
        }
    }

    @Test func theAccessTokenIsCachedUntilShortlyBeforeItExpires() async throws {
        try await withFCM { fcm, provider, tokens, clock in
            let delivery = PushDelivery(device: android(), content: .alert(PushFixtures.alert))
            _ = await provider.send(delivery, projectId: "poolse-test", tokens: tokens)
            clock.advance(3600 - FCMAccessTokens.renewalMargin - 1)
            _ = await provider.send(delivery, projectId: "poolse-test", tokens: tokens)
            #expect(fcm.exchanges.count == 1)
            clock.advance(1)
            _ = await provider.send(delivery, projectId: "poolse-test", tokens: tokens)
            #expect(fcm.exchanges.count == 2)
            #expect(fcm.exchanges.map(\.valid) == [true, true])
            let sent = fcm.sent
            #expect(sent[0].accessToken == sent[1].accessToken)
            #expect(sent[2].accessToken != sent[1].accessToken)
            #expect(fcm.exchanges[1].issuedAt == Int64(clock.now.timeIntervalSince1970))
        }
    }

    @Test func aRefusedAccessTokenIsRenewedAndThePushSentAgain() async throws {
        try await withFCM { fcm, provider, tokens, _ in
            fcm.script([.unauthenticated])
            #expect(await provider.send(PushDelivery(device: android(), content: .alert(PushFixtures.alert)),
                                        projectId: "poolse-test", tokens: tokens) == .delivered)
            #expect(fcm.exchanges.count == 2)
            #expect(fcm.sent.map(\.status) == [401, 200])
        }
    }

    @Test func tokenEndpointFailuresAreRetriedOrFailed() async throws {
        try await withFCM { fcm, provider, tokens, _ in
            fcm.scriptTokenEndpoint([503, 400])
            let delivery = PushDelivery(device: android(), content: .alert(PushFixtures.alert))
            guard case .retry = await provider.send(delivery, projectId: "poolse-test", tokens: tokens) else {
                Issue.record("a 503 from the token endpoint is transient")
                return
            }
            guard case .failed = await provider.send(delivery, projectId: "poolse-test", tokens: tokens) else {
                Issue.record("invalid_grant is permanent")
                return
            }
            #expect(fcm.sent.isEmpty)
        }
    }

    @Test func serviceAccountsAreValidated() throws {
        let key = try #require(Self.key)
        #expect(throws: DomainError.self) { try FCMServiceAccount(json: "{\"project_id\": 1}") }
        var object = try #require(try JSONSerialization.jsonObject(with: Data(FCMStandIn.serviceAccountJSON(key: key).utf8))
            as? [String: String])
        object["token_uri"] = "https://169.254.169.254/token"
        let redirected = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(throws: DomainError.validation("service_account", "token_uri must be an https URL on googleapis.com")) {
            try FCMServiceAccount(json: redirected)
        }
        object["token_uri"] = nil
        object["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        let badKey = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(throws: DomainError.validation("service_account",
                                               "private_key must be an RSA private key (2048 bits or more) in PEM form")) {
            try FCMServiceAccount(json: badKey)
        }
    }
}
