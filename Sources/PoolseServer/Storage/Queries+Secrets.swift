import SQLKit

/// A stored server secret: its text, and whether that text is sealed (`SecretSealer`).
struct StoredSecret: Sendable, Equatable {
    let value: String
    let sealed: Bool
}

extension Queries {
    func secret(named name: String) async throws -> StoredSecret? {
        try await db.raw("SELECT value, sealed FROM server_secrets WHERE name = \(bind: name)").first().map {
            StoredSecret(value: try $0.string("value"), sealed: try $0.bool("sealed"))
        }
    }

    /// Stores `secret` unless the name exists; false when another writer was first.
    func insertSecretIfAbsent(named name: String, _ secret: StoredSecret, at time: Int64) async throws -> Bool {
        try await db.raw("""
            INSERT INTO server_secrets (name, value, sealed, inserted_at, updated_at)
            VALUES (\(bind: name), \(bind: secret.value), \(bind: secret.sealed ? 1 : 0), \(bind: time), \(bind: time))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """).first() != nil
    }

    func replaceSecret(named name: String, _ secret: StoredSecret, at time: Int64) async throws {
        try await db.raw("""
            UPDATE server_secrets SET value = \(bind: secret.value), sealed = \(bind: secret.sealed ? 1 : 0),
              updated_at = \(bind: time) WHERE name = \(bind: name)
            """).run()
    }
}
