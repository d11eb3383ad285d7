import _CryptoExtras
import Crypto
import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// `/v1/tenant/push…`: validation, what is shown, sealing at rest, and the sender following it.
@Suite struct PushSettingsRouteTests {
    static let secretsKey = "a secrets key of at least thirty-two characters"

    private func apnsBody(_ key: P256.Signing.PrivateKey, environment: JSONValue? = nil) -> JSONValue {
        var body: [String: JSONValue] = ["key_id": "KEY1234567", "team_id": "TEAM123456", "bundle_id": "com.example.chat",
                                         "private_key": .string(key.pemRepresentation)]
        if let environment { body["environment"] = environment }
        return .object(body)
    }

    @Test func apnsIsStoredSealedAndShownWithoutTheKey() async throws {
        let server = try await ServerFixture.open { $0.secretsKey = Self.secretsKey }
        try await server.run { api in
            let key = P256.Signing.PrivateKey()
            let put = try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey,
                                            json: apnsBody(key, environment: "sandbox"))
            #expect(put.status == 200)
            let shown = try await api.request(.get, "/v1/tenant/push", token: server.apiKey)
            #expect(shown.status == 200)
            let apns = shown.json.objectValue?["apns"]?.objectValue
            #expect(apns?["key_id"]?.stringValue == "KEY1234567")
            #expect(apns?["team_id"]?.stringValue == "TEAM123456")
            #expect(apns?["bundle_id"]?.stringValue == "com.example.chat")
            #expect(apns?["environment"]?.stringValue == "sandbox")
            #expect(apns?["source"]?.stringValue == "tenant")
            #expect(shown.json.objectValue?["fcm"] == .null)
            for body in [put.body, shown.body] {
                let text = String(decoding: body, as: UTF8.self)
                #expect(!text.contains("PRIVATE KEY"))
                #expect(!text.contains("private_key"))
            }
            let rows = try await server.app.store.read { try await $0.pushProviders(tenantId: server.tenantId) }
            let row = try #require(rows.first)
            #expect(row.secret.sealed)
            #expect(row.secret.value.hasPrefix("v1:"))
            #expect(!row.secret.value.contains("PRIVATE KEY"))
            #expect(try SecretSealer(passphrase: Self.secretsKey).open(row.secret.value) == key.pemRepresentation)
        }
    }

    @Test func withoutASecretsKeyTheKeyIsStoredAsGiven() async throws {
        let server = try await ServerFixture.open()
        try await server.run { api in
            let key = P256.Signing.PrivateKey()
            #expect(try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: apnsBody(key)).status == 200)
            let row = try #require(try await server.app.store.read { try await $0.pushProviders(tenantId: server.tenantId) }.first)
            #expect(!row.secret.sealed)
            #expect(row.secret.value == key.pemRepresentation)
        }
    }

    @Test func badInputIsRefusedWithTheFieldNamed() async throws {
        let server = try await ServerFixture.open()
        try await server.run { api in
            var body = apnsBody(P256.Signing.PrivateKey()).objectValue ?? [:]
            body["private_key"] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----"
            let badKey = try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: .object(body))
            badKey.expectError(422, "validation_failed")
            #expect(badKey.json.objectValue?["error"]?.objectValue?["details"]?.objectValue?["private_key"] != nil)
            #expect(badKey.json.objectValue?["error"]?.objectValue?["message"]?.stringValue?.contains(".p8") == true)

            let badFCM = try await api.request(.put, "/v1/tenant/push/fcm", token: server.apiKey,
                                               json: ["service_account": ["project_id": "p"]])
            badFCM.expectError(422, "validation_failed")
            // A user token can't configure the tenant.
            let (_, token) = try await api.login("someone")
            #expect(try await api.request(.put, "/v1/tenant/push/apns", token: token,
                                          json: apnsBody(P256.Signing.PrivateKey())).status == 401)
            #expect(try await server.app.store.read { try await $0.pushProviders(tenantId: server.tenantId) }.isEmpty)
        }
    }

    @Test func fcmTakesTheServiceAccountAsAnObjectOrText() async throws {
        let server = try await ServerFixture.open()
        try await server.run { api in
            let key = try #require(FCMProviderTests.key)
            let text = FCMStandIn.serviceAccountJSON(key: key, projectId: "from-text")
            #expect(try await api.request(.put, "/v1/tenant/push/fcm", token: server.apiKey,
                                          json: ["service_account": .string(text)]).status == 200)
            let object = try WireCoding.decoder.decode(JSONValue.self,
                                                       from: Data(FCMStandIn.serviceAccountJSON(key: key, projectId: "from-object").utf8))
            let put = try await api.request(.put, "/v1/tenant/push/fcm", token: server.apiKey, json: ["service_account": object])
            #expect(put.status == 200)
            let fcm = put.json.objectValue?["fcm"]?.objectValue
            #expect(fcm?["project_id"]?.stringValue == "from-object")
            #expect(fcm?["client_email"]?.stringValue == "push@poolse-test.iam.gserviceaccount.com")
            #expect(!String(decoding: put.body, as: UTF8.self).contains("PRIVATE KEY"))

            #expect(try await api.request(.delete, "/v1/tenant/push/fcm", token: server.apiKey).status == 204)
            let after = try await api.request(.get, "/v1/tenant/push", token: server.apiKey)
            #expect(after.json.objectValue?["fcm"] == .null)
        }
    }

    @Test func theSenderFollowsTheTenantsConfiguration() async throws {
        let first = P256.Signing.PrivateKey(), second = P256.Signing.PrivateKey()
        let apnsFirst = try APNsStandIn(key: first.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
        try await apnsFirst.start()
        let server = try await ServerFixture.open {
            $0.push.apnsProductionURL = apnsFirst.baseURL
            $0.push.trustRootsFile = apnsFirst.trustRootsFile
        }
        try await server.run { (api: APIClient) throws in
            let sender = server.app.pushSender
            let delivery = PushDelivery(device: PushFixtures.device(tenantId: server.tenantId), content: .alert(PushFixtures.alert))
            // Nothing configured: nothing sent.
            #expect(await sender.send(delivery) == .notConfigured)
            #expect(try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: apnsBody(first)).status == 200)
            #expect(await sender.send(delivery) == .delivered)
            #expect(apnsFirst.received.map(\.jwtValid) == [true])
            // A new key takes effect at once: the stand-in knows only the first, so it refuses.
            #expect(try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: apnsBody(second)).status == 200)
            #expect(await sender.send(delivery) == .failed(reason: "APNs 403 InvalidProviderToken"))
            // Android has no provider; another tenant has none either.
            var android = delivery
            android.device.platform = .android
            #expect(await sender.send(android) == .notConfigured)
            var stranger = delivery
            stranger.device.tenantId = UUID().uuidString.lowercased()
            #expect(await sender.send(stranger) == .notConfigured)
            #expect(try await api.request(.delete, "/v1/tenant/push/apns", token: server.apiKey).status == 204)
            #expect(await sender.send(delivery) == .notConfigured)
        }
        await apnsFirst.stop()
    }

    @Test func anotherNodeSeesAChangeWhenItsCacheExpires() async throws {
        let key = P256.Signing.PrivateKey()
        let apns = try APNsStandIn(key: key.publicKey, keyId: "KEY1234567", teamId: "TEAM123456")
        try await apns.start()
        let server = try await ServerFixture.open {
            $0.push.apnsProductionURL = apns.baseURL
            $0.push.trustRootsFile = apns.trustRootsFile
        }
        try await server.run { (api: APIClient) throws in
            // A second sender on the same database stands for another node, on a clock the test moves.
            let clock = ManualClock()
            let otherNode = ProviderPushSender(settings: server.app.pushSender.settings,
                                               configuration: server.app.configuration.push, now: clock.function)
            let delivery = PushDelivery(device: PushFixtures.device(tenantId: server.tenantId), content: .alert(PushFixtures.alert))
            #expect(await otherNode.send(delivery) == .notConfigured)
            let put = try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: apnsBody(key))
            #expect(put.status == 200)
            clock.advance(server.app.configuration.push.configurationCacheSeconds - 1)
            #expect(await otherNode.send(delivery) == .notConfigured)
            clock.advance(1)
            #expect(await otherNode.send(delivery) == .delivered)
            await otherNode.shutdown()
        }
        await apns.stop()
    }

    @Test func flagsServeTenantsWithoutTheirOwnConfiguration() async throws {
        let flagKey = P256.Signing.PrivateKey(), tenantKey = P256.Signing.PrivateKey()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-p8-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let keyFile = directory + "/AuthKey.p8"
        try flagKey.pemRepresentation.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let apns = try APNsStandIn(key: flagKey.publicKey, keyId: "FLAGKEY123", teamId: "TEAM123456")
        try await apns.start()
        let server = try await ServerFixture.open {
            $0.push.apnsProductionURL = apns.baseURL
            $0.push.trustRootsFile = apns.trustRootsFile
            $0.push.apnsKeyFile = keyFile
            $0.push.apnsKeyId = "FLAGKEY123"
            $0.push.apnsTeamId = "TEAM123456"
            $0.push.apnsBundleId = "com.example.flags"
        }
        try await server.run { api in
            let shown = try await api.request(.get, "/v1/tenant/push", token: server.apiKey)
            #expect(shown.json.objectValue?["apns"]?.objectValue?["source"]?.stringValue == "flags")
            #expect(shown.json.objectValue?["apns"]?.objectValue?["key_id"]?.stringValue == "FLAGKEY123")
            let delivery = PushDelivery(device: PushFixtures.device(tenantId: server.tenantId), content: .alert(PushFixtures.alert))
            #expect(await server.app.pushSender.send(delivery) == .delivered)
            #expect(apns.received.last?.request.headers["apns-topic"] == "com.example.flags")
            // The tenant's own key wins over the flags.
            var body = apnsBody(tenantKey).objectValue ?? [:]
            body["key_id"] = "TENANTKEY1"
            #expect(try await api.request(.put, "/v1/tenant/push/apns", token: server.apiKey, json: .object(body)).status == 200)
            _ = await server.app.pushSender.send(delivery)
            #expect(apns.received.last?.request.headers["apns-topic"] == "com.example.chat")
        }
        await apns.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func incompleteOrBadFlagsStopTheStart() throws {
        var partial = PushConfiguration()
        partial.apnsKeyId = "KEY1234567"
        #expect(throws: ConfigError.self) { try PushFlags.credentials(partial) }
        var missing = PushConfiguration()
        missing.fcmServiceAccountFile = "/nonexistent/service-account.json"
        #expect(throws: ConfigError.self) { try PushFlags.credentials(missing) }
    }

    @Test func aSealedKeyWithoutTheSecretsKeyFailsThePush() async throws {
        // No HTTP here: the server is opened, not started (a live server stopped before it
        // finished starting can hang the shutdown).
        let server = try await ServerFixture.open()
        let sealed = try SecretSealer(passphrase: Self.secretsKey).seal(P256.Signing.PrivateKey().pemRepresentation)
        let settings = #"{"keyId":"KEY1234567","teamId":"TEAM123456","bundleId":"com.example.chat"}"#
        try await server.app.store.transaction {
            try await $0.upsertPushProvider(tenantId: server.tenantId, PushProviderRecord(
                provider: "apns", settings: settings, secret: StoredSecret(value: sealed, sealed: true), updatedAt: 1))
        }
        let outcome = await server.app.pushSender.send(
            PushDelivery(device: PushFixtures.device(tenantId: server.tenantId), content: .alert(PushFixtures.alert)))
        await server.cleanUp()
        guard case .failed(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("--secrets-key"))
    }
}
