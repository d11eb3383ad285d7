import SQLKit

/// A tenant's stored credentials for one push provider.
struct PushProviderRecord: Sendable, Equatable {
    /// `apns` or `fcm`.
    let provider: String
    /// JSON of what may be shown (key id, team id, project id…).
    let settings: String
    /// The key or service account, sealed when `secret.sealed`.
    let secret: StoredSecret
    let updatedAt: Int64
}

extension Queries {
    func pushProviders(tenantId: String) async throws -> [PushProviderRecord] {
        try await db.raw("""
            SELECT provider, settings, secret, sealed, updated_at FROM push_providers
            WHERE tenant_id = \(bind: tenantId) ORDER BY provider
            """).all().map {
            PushProviderRecord(provider: try $0.string("provider"), settings: try $0.string("settings"),
                               secret: StoredSecret(value: try $0.string("secret"), sealed: try $0.bool("sealed")),
                               updatedAt: try $0.int64("updated_at"))
        }
    }

    func upsertPushProvider(tenantId: String, _ record: PushProviderRecord) async throws {
        try await db.raw("""
            INSERT INTO push_providers (tenant_id, provider, settings, secret, sealed, inserted_at, updated_at)
            VALUES (\(bind: tenantId), \(bind: record.provider), \(bind: record.settings), \(bind: record.secret.value),
                    \(bind: record.secret.sealed ? 1 : 0), \(bind: record.updatedAt), \(bind: record.updatedAt))
            ON CONFLICT (tenant_id, provider) DO UPDATE SET settings = excluded.settings, secret = excluded.secret,
              sealed = excluded.sealed, updated_at = excluded.updated_at
            """).run()
    }

    func deletePushProvider(tenantId: String, provider: String) async throws {
        try await db.raw("DELETE FROM push_providers WHERE tenant_id = \(bind: tenantId) AND provider = \(bind: provider)").run()
    }
}
