import SQLKit

/// A tenant's before-send hook as stored; the signing secret sealed when `secret.sealed`.
struct BeforeSendHookRecord: Sendable, Equatable {
    let url: String
    let timeoutMs: Int
    let failOpen: Bool
    let secret: StoredSecret
    let updatedAt: Int64
}

extension Queries {
    func beforeSendHook(tenantId: String) async throws -> BeforeSendHookRecord? {
        try await db.raw("""
            SELECT url, timeout_ms, fail_open, secret, sealed, updated_at FROM before_send_hooks
            WHERE tenant_id = \(bind: tenantId)
            """).first().map {
            BeforeSendHookRecord(url: try $0.string("url"), timeoutMs: Int(try $0.int64("timeout_ms")), failOpen: try $0.bool("fail_open"),
                                 secret: StoredSecret(value: try $0.string("secret"), sealed: try $0.bool("sealed")),
                                 updatedAt: try $0.int64("updated_at"))
        }
    }

    func upsertBeforeSendHook(tenantId: String, _ record: BeforeSendHookRecord) async throws {
        try await db.raw("""
            INSERT INTO before_send_hooks (tenant_id, url, timeout_ms, fail_open, secret, sealed, inserted_at, updated_at)
            VALUES (\(bind: tenantId), \(bind: record.url), \(bind: record.timeoutMs), \(bind: record.failOpen ? 1 : 0),
                    \(bind: record.secret.value), \(bind: record.secret.sealed ? 1 : 0), \(bind: record.updatedAt),
                    \(bind: record.updatedAt))
            ON CONFLICT (tenant_id) DO UPDATE SET url = excluded.url, timeout_ms = excluded.timeout_ms,
              fail_open = excluded.fail_open, secret = excluded.secret, sealed = excluded.sealed, updated_at = excluded.updated_at
            """).run()
    }

    func deleteBeforeSendHook(tenantId: String) async throws {
        try await db.raw("DELETE FROM before_send_hooks WHERE tenant_id = \(bind: tenantId)").run()
    }
}
