import Crypto
import Foundation
import Testing

@testable import PoolseServer

/// The APNs provider against a stand-in APNs (HTTP/2, TLS, JWT checked) on loopback.
@Suite struct APNsProviderTests {
    /// Runs `body` with a started stand-in (production) and a provider pointed at it.
    private func withAPNs(
        sandbox: Bool = false,
        _ body: (APNsStandIn, APNsProvider, APNsCredentials, APNsTokenSigner, ManualClock) async throws -> Void
    ) async throws {
        let key = P256.Signing.PrivateKey()
        let apns = try APNsStandIn(key: key.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
        try await apns.start()
        var configuration = PushConfiguration()
        configuration.apnsProductionURL = apns.baseURL
        configuration.apnsSandboxURL = sandbox ? apns.baseURL : "https://127.0.0.1:1"
        configuration.trustRootsFile = apns.trustRootsFile
        let clock = ManualClock()
        let http = OutboundHTTPClient(configuration: configuration)
        let provider = APNsProvider(http: http, configuration: configuration, now: clock.function)
        let credentials = try PushFixtures.apnsCredentials(key)
        let signer = try APNsTokenSigner(credentials: credentials, now: clock.function)
        do {
            try await body(apns, provider, credentials, signer, clock)
        } catch {
            await http.shutdown()
            await apns.stop()
            throw error
        }
        await http.shutdown()
        await apns.stop()
    }

    @Test func alertArrivesWithTheHeadersAndPayloadAPNsExpects() async throws {
        try await withAPNs { apns, provider, credentials, signer, clock in
            let outcome = await provider.send(PushDelivery(device: PushFixtures.device("tok-1"), content: .alert(PushFixtures.alert)),
                                              credentials: credentials, signer: signer)
            #expect(outcome == .delivered)
            let received = try #require(apns.received.first)
            #expect(apns.received.count == 1)
            #expect(received.jwtValid)
            #expect(received.deviceToken == "tok-1")
            #expect(received.issuedAt == Int64(clock.now.timeIntervalSince1970))
            let headers = received.request.headers
            #expect(headers["apns-topic"] == "com.example.chat")
            #expect(headers["apns-push-type"] == "alert")
            #expect(headers["apns-priority"] == "10")
            #expect(headers["apns-collapse-id"] == "c-1")
            #expect(headers["apns-expiration"] == String(Int64(clock.now.timeIntervalSince1970) + 86_400))
            let json = try #require(received.request.jsonObject)
            let aps = try #require(json["aps"] as? [String: Any])
            #expect(aps["alert"] as? [String: String] == ["title": "Team chat", "body": "Lunch at noon?"])
            #expect(aps["badge"] as? Int == 3)
            #expect(aps["sound"] as? String == "default")
            #expect(aps["mutable-content"] as? Int == 1)
            #expect(aps["thread-id"] as? String == "c-1")
            #expect(json["conversation_id"] as? String == "c-1")
            #expect(json["message_id"] as? String == "m-1")
            #expect(json["sequence"] as? Int == 42)
            #expect(json["sender_id"] as? String == "u-2")
        }
    }

    @Test func callGoesAsAVoIPPushWithTheSDKPayload() async throws {
        try await withAPNs { apns, provider, credentials, signer, _ in
            let device = PushFixtures.device("voip-1", kind: .voip)
            #expect(await provider.send(PushDelivery(device: device, content: .call(PushFixtures.call)),
                                        credentials: credentials, signer: signer) == .delivered)
            let received = try #require(apns.received.first)
            #expect(received.request.headers["apns-topic"] == "com.example.chat.voip")
            #expect(received.request.headers["apns-push-type"] == "voip")
            #expect(received.request.headers["apns-expiration"] == "0")
            #expect(received.request.headers["apns-collapse-id"] == nil)
            let json = try #require(received.request.jsonObject)
            #expect(json["call_id"] as? String == "call-1")
            #expect(json["conversation_id"] as? String == "c-1")
            #expect(json["caller_user_id"] as? String == "u-2")
            #expect(json["caller_name"] as? String == "Ada")
            #expect(json["media"] as? String == "video")
            #expect(json["has_video"] as? Bool == true)
            #expect(json["sent_at"] as? Int64 == 1_800_000_000_123)
            #expect(json["aps"] == nil)
        }
    }

    @Test func sandboxDevicesGoToTheSandboxHost() async throws {
        // Production points at a closed port: only the sandbox host can deliver.
        let key = P256.Signing.PrivateKey()
        let apns = try APNsStandIn(key: key.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
        try await apns.start()
        var configuration = PushConfiguration()
        configuration.apnsProductionURL = "https://127.0.0.1:1"
        configuration.apnsSandboxURL = apns.baseURL
        configuration.trustRootsFile = apns.trustRootsFile
        let http = OutboundHTTPClient(configuration: configuration)
        let provider = APNsProvider(http: http, configuration: configuration)
        let credentials = try PushFixtures.apnsCredentials(key)
        let signer = try APNsTokenSigner(credentials: credentials)
        let alert = PushContent.alert(PushFixtures.alert)
        let sandbox = await provider.send(PushDelivery(device: PushFixtures.device(environment: .sandbox), content: alert),
                                          credentials: credentials, signer: signer)
        let production = await provider.send(PushDelivery(device: PushFixtures.device(environment: .production), content: alert),
                                             credentials: credentials, signer: signer)
        // A tenant that forces the sandbox sends a production device there too.
        let forced = await provider.send(PushDelivery(device: PushFixtures.device(environment: .production), content: alert),
                                         credentials: try PushFixtures.apnsCredentials(key, environment: .sandbox), signer: signer)
        await http.shutdown()
        await apns.stop()
        #expect(sandbox == .delivered)
        #expect(forced == .delivered)
        guard case .retry = production else { Issue.record("production host is closed: \(production)"); return }
        #expect(apns.received.count == 2)
    }

    @Test func deadTokensAreReportedGone() async throws {
        try await withAPNs { apns, provider, credentials, signer, _ in
            apns.script([.unregistered, .badDeviceToken])
            let delivery = PushDelivery(device: PushFixtures.device(), content: .alert(PushFixtures.alert))
            #expect(await provider.send(delivery, credentials: credentials, signer: signer) == .deviceGone)
            #expect(await provider.send(delivery, credentials: credentials, signer: signer) == .deviceGone)
            #expect(apns.received.map(\.status) == [410, 400])
        }
    }

    @Test func overloadAndServerErrorsAreRetriedHonouringRetryAfter() async throws {
        try await withAPNs { apns, provider, credentials, signer, _ in
            apns.script([.tooManyRequests(retryAfter: "7"), .serviceUnavailable])
            let delivery = PushDelivery(device: PushFixtures.device(), content: .alert(PushFixtures.alert))
            #expect(await provider.send(delivery, credentials: credentials, signer: signer)
                == .retry(after: 7, reason: "APNs 429 TooManyRequests"))
            #expect(await provider.send(delivery, credentials: credentials, signer: signer)
                == .retry(after: nil, reason: "APNs 503 ServiceUnavailable"))
        }
    }

    @Test func anExpiredProviderTokenIsRenewedAndThePushSentAgain() async throws {
        try await withAPNs { apns, provider, credentials, signer, clock in
            let delivery = PushDelivery(device: PushFixtures.device(), content: .alert(PushFixtures.alert))
            #expect(await provider.send(delivery, credentials: credentials, signer: signer) == .delivered)
            clock.advance(60)
            apns.script([.expiredProviderToken])
            #expect(await provider.send(delivery, credentials: credentials, signer: signer) == .delivered)
            let received = apns.received
            #expect(received.map(\.status) == [200, 403, 200])
            #expect(received[0].jwt == received[1].jwt)
            #expect(received[2].jwt != received[1].jwt)
            #expect(received[2].issuedAt == Int64(clock.now.timeIntervalSince1970))
        }
    }

    @Test func aKeyAPNsDoesNotKnowFails() async throws {
        try await withAPNs { apns, provider, _, _, _ in
            // Signed by another key: the stand-in answers 403 InvalidProviderToken, as APNs does.
            let stranger = try PushFixtures.apnsCredentials(P256.Signing.PrivateKey())
            let outcome = await provider.send(PushDelivery(device: PushFixtures.device(), content: .alert(PushFixtures.alert)),
                                              credentials: stranger, signer: try APNsTokenSigner(credentials: stranger))
            #expect(outcome == .failed(reason: "APNs 403 InvalidProviderToken"))
            #expect(apns.received.map(\.jwtValid) == [false])
        }
    }

    @Test func mismatchedTokenKindsAreRefusedWithoutARequest() async throws {
        try await withAPNs { apns, provider, credentials, signer, _ in
            let alertToVoIP = await provider.send(
                PushDelivery(device: PushFixtures.device(kind: .voip), content: .alert(PushFixtures.alert)),
                credentials: credentials, signer: signer)
            let callToAlert = await provider.send(
                PushDelivery(device: PushFixtures.device(kind: .alert), content: .call(PushFixtures.call)),
                credentials: credentials, signer: signer)
            guard case .failed = alertToVoIP, case .failed = callToAlert else {
                Issue.record("expected failures: \(alertToVoIP), \(callToAlert)")
                return
            }
            #expect(apns.received.isEmpty)
        }
    }

    @Test func oneProviderTokenServesFiftyMinutesThenIsReplaced() async throws {
        let clock = ManualClock()
        let signer = try APNsTokenSigner(credentials: PushFixtures.apnsCredentials(P256.Signing.PrivateKey()),
                                         now: clock.function)
        let first = try await signer.token()
        clock.advance(49 * 60 + 59)
        #expect(try await signer.token() == first)
        clock.advance(1)
        let second = try await signer.token()
        #expect(second != first)
        clock.advance(10)
        #expect(try await signer.token() == second)
        // A renewal asked with an older token does not throw away the current one.
        await signer.renew(rejected: first)
        #expect(try await signer.token() == second)
    }

    @Test func collapseIdsAreCutToSixtyFourBytesOnACharacterBoundary() {
        let long = String(repeating: "é", count: 40)  // 80 bytes
        let cut = APNsRequest.prefix(long, utf8Bytes: 64)
        #expect(cut.utf8.count == 64)
        #expect(cut == String(repeating: "é", count: 32))
    }

    @Test func aBadP8IsRefusedWithTheFieldNamed() {
        #expect(throws: DomainError.validation("private_key", "is not a P-256 private key in PEM form (paste the whole .p8 file)")) {
            try APNsCredentials(keyId: "KEY1234567", teamId: "TEAM123456", bundleId: "com.example.chat",
                                privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", environment: nil)
        }
    }
}
