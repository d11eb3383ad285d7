import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Generated secrets live in the database, so nodes of one database agree without configuration.
@Suite("Shared secrets")
struct SharedSecretsTests {
    @Test func aTokenFromOneNodeVerifiesOnAnotherWithoutConfiguredKeys() async throws {
        let cluster = try await ServerFixture.open(nodes: 2) { $0.jwtSecrets = nil }
        try await cluster.runClients { clients in
            let (_, token) = try await clients[0].login("alice")
            #expect(try await clients[1].request(.get, "/v1/me", token: token).status == 200)
            #expect(try await clients[0].request(.get, "/v1/me", token: token).status == 200)
        }
    }

    @Test func anEarlierDataDirectoryKeyIsAdopted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (keys, serialized) = try SigningKeys.generate()
        try (serialized + "\n").write(toFile: directory + "/jwt-keys", atomically: true, encoding: .utf8)
        let server = try await ServerFixture.open { $0.dataDirectory = directory }
        #expect(server.app.keys.active.kid == keys.active.kid, "tokens minted before the upgrade stay valid")
        let stored = try await server.app.store.read { try await $0.secret(named: SharedSecrets.jwtKeysName) }
        #expect(stored == StoredSecret(value: serialized, sealed: false))
        await server.cleanUp()
    }

    @Test func aSecretsKeySealsStoredSecrets() async throws {
        let passphrase = String(repeating: "s", count: 40)
        let server = try await ServerFixture.open { $0.secretsKey = passphrase }
        let store = server.app.store
        let stored = try #require(try await store.read { try await $0.secret(named: SharedSecrets.jwtKeysName) })
        #expect(stored.sealed)
        #expect(stored.value.hasPrefix("v1:"))
        #expect(!stored.value.contains(server.app.keys.active.kid))
        var configuration = server.app.configuration
        configuration.secretsKey = nil
        let unsealed = try SharedSecrets(store: store, configuration: configuration)
        await #expect(throws: ConfigError.self) { try await unsealed.signingKeys(configured: nil) }
        configuration.secretsKey = String(repeating: "x", count: 40)
        let wrongKey = try SharedSecrets(store: store, configuration: configuration)
        await #expect(throws: ConfigError.self) { try await wrongKey.signingKeys(configured: nil) }
        configuration.secretsKey = passphrase
        let reopened = try await SharedSecrets(store: store, configuration: configuration).signingKeys(configured: nil)
        #expect(reopened.active.kid == server.app.keys.active.kid)
        #expect(throws: ConfigError.self) { try SecretSealer(passphrase: "short") }
        await server.cleanUp()
    }

    @Test func rotationPutsTheNewKeyFirstAndKeepsTheOld() async throws {
        let server = try await ServerFixture.open { $0.jwtSecrets = nil }
        let secrets = try SharedSecrets(store: server.app.store, configuration: server.app.configuration)
        let before = server.app.keys.active.kid
        let added = try await secrets.rotateSigningKeys()
        let after = try await secrets.signingKeys(configured: nil)
        #expect(after.active.kid == added)
        #expect(after.key(kid: before) != nil)
        try await secrets.retireSigningKey(kid: before)
        #expect(try await secrets.signingKeys(configured: nil).key(kid: before) == nil)
        await #expect(throws: ConfigError.self) { try await secrets.retireSigningKey(kid: added) }
        await server.cleanUp()
    }
}
