import Foundation

/// Generated server secrets kept in the database, so every node pointed at one database uses
/// the same ones without extra configuration: a token minted by one node verifies on another,
/// and a blob URL signed by one is accepted by another.
///
/// - A configured value (`--jwt-secrets`, `POOLSE_BLOB_SIGNING_SECRET`) always wins and is not stored.
/// - Otherwise the stored value is used. A database without one adopts the file an earlier
///   version generated into the data directory (so existing tokens stay valid), or a fresh value;
///   it is inserted only if absent and read back, so nodes that start together agree.
/// - With `--secrets-key` the stored values are sealed (`SecretSealer`) and unsealed ones are
///   sealed on first read; without it they are stored as they are, and reading the database is
///   then as good as holding the keys. That choice is the operator's: the key must be the same
///   on every node, which is exactly the configuration this type exists to make unnecessary.
struct SharedSecrets: Sendable {
    let store: Store
    let sealer: SecretSealer?
    let dataDirectory: String

    static let jwtKeysName = "jwt-keys"
    static let blobKeyName = "blob-key"

    init(store: Store, configuration: ServerConfiguration) throws {
        self.store = store
        sealer = try configuration.secretsKey.flatMap { $0.isEmpty ? nil : try SecretSealer(passphrase: $0) }
        dataDirectory = configuration.dataDirectory
    }

    /// The token signing keys.
    func signingKeys(configured: String?) async throws -> SigningKeys {
        if let configured, !configured.isEmpty { return try SigningKeys.parse(configured) }
        return try SigningKeys.parse(try await value(named: Self.jwtKeysName) { try SigningKeys.generate().serialized })
    }

    /// The local blob store's URL signing secret.
    func blobSigningSecret(configured: String?) async throws -> Data {
        if let configured, !configured.isEmpty { return Data(configured.utf8) }
        let text = try await value(named: Self.blobKeyName) { BlobURLSigner.generateSecret().base64EncodedString() }
        guard let secret = Data(base64Encoded: text) else { throw ConfigError("the stored blob signing key is not base64") }
        return secret
    }

    /// Adds a new signing key in front of the stored ones (it signs from the next start on; the
    /// others keep verifying); returns its key id.
    func rotateSigningKeys() async throws -> String {
        let (fresh, serialized) = try SigningKeys.generate()
        let current = try await value(named: Self.jwtKeysName) { serialized }
        guard current != serialized else { return fresh.active.kid }
        try await replace(named: Self.jwtKeysName, with: serialized + "," + current)
        return fresh.active.kid
    }

    /// Drops a signing key that is not the only one; tokens it signed stop verifying.
    func retireSigningKey(kid: String) async throws {
        let current = try await value(named: Self.jwtKeysName) { try SigningKeys.generate().serialized }
        let kept = current.split(separator: ",").filter { !$0.hasPrefix(kid + ":") }
        guard kept.count < current.split(separator: ",").count else { throw ConfigError("no stored signing key \(kid)") }
        guard !kept.isEmpty else { throw ConfigError("\(kid) is the only signing key; rotate first") }
        try await replace(named: Self.jwtKeysName, with: kept.joined(separator: ","))
    }

    /// The stored value of `name`, adopting the data directory's file or `generate()` when absent.
    func value(named name: String, generate: () throws -> String) async throws -> String {
        if let stored = try await store.read({ try await $0.secret(named: name) }) { return try await open(stored, name) }
        let path = (dataDirectory as NSString).appendingPathComponent(name)
        let legacy = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let candidate = try legacy.flatMap { $0.isEmpty ? nil : $0 } ?? generate()
        let sealed = try seal(candidate)
        let now = WallClock.nowMicros()
        _ = try await store.transaction { try await $0.insertSecretIfAbsent(named: name, sealed, at: now) }
        guard let stored = try await store.read({ try await $0.secret(named: name) }) else {
            throw ConfigError("could not store the \(name) secret")
        }
        return try await open(stored, name)
    }

    private func replace(named name: String, with plain: String) async throws {
        let sealed = try seal(plain)
        try await store.transaction { try await $0.replaceSecret(named: name, sealed, at: WallClock.nowMicros()) }
    }

    private func seal(_ plain: String) throws -> StoredSecret {
        guard let sealer else { return StoredSecret(value: plain, sealed: false) }
        return StoredSecret(value: try sealer.seal(plain), sealed: true)
    }

    /// The plain text of a stored value; an unsealed one is sealed now when a key is configured.
    private func open(_ stored: StoredSecret, _ name: String) async throws -> String {
        guard stored.sealed else {
            if sealer != nil { try await replace(named: name, with: stored.value) }
            return stored.value
        }
        guard let sealer else {
            throw ConfigError("the stored \(name) secret is sealed: start the server with the same --secrets-key")
        }
        return try sealer.open(stored.value)
    }
}
