import SQLKit

/// A tenant: one customer of the server, with its own users and conversations.
struct TenantRecord: Sendable, Equatable {
    let id: String
    let name: String
    let insertedAt: Int64
}

/// An API key row; the key itself is never stored, only its SHA-256.
struct APIKeyRecord: Sendable, Equatable {
    let id: String
    let tenantId: String
    let prefix: String
    let label: String?
    let insertedAt: Int64
    let revokedAt: Int64?
}

extension Queries {
    func insertTenant(_ tenant: TenantRecord) async throws {
        try await db.raw("""
            INSERT INTO tenants (id, name, inserted_at)
            VALUES (\(bind: tenant.id), \(bind: tenant.name), \(bind: tenant.insertedAt))
            """).run()
    }

    func tenants() async throws -> [TenantRecord] {
        try await db.raw("SELECT id, name, inserted_at FROM tenants ORDER BY inserted_at").all().map {
            TenantRecord(id: try $0.string("id"), name: try $0.string("name"), insertedAt: try $0.int64("inserted_at"))
        }
    }

    /// Finds a tenant by id or, failing that, by exact name.
    func tenant(idOrName: String) async throws -> TenantRecord? {
        try await db.raw("""
            SELECT id, name, inserted_at FROM tenants WHERE id = \(bind: idOrName) OR name = \(bind: idOrName)
            ORDER BY inserted_at LIMIT 1
            """).first().map {
            TenantRecord(id: try $0.string("id"), name: try $0.string("name"), insertedAt: try $0.int64("inserted_at"))
        }
    }

    func insertAPIKey(_ key: APIKeyRecord, hash: String) async throws {
        try await db.raw("""
            INSERT INTO api_keys (id, tenant_id, key_hash, prefix, label, inserted_at)
            VALUES (\(bind: key.id), \(bind: key.tenantId), \(bind: hash), \(bind: key.prefix), \(bind: key.label),
                    \(bind: key.insertedAt))
            """).run()
    }

    /// The live (not revoked) key with this hash.
    func activeAPIKey(hash: String) async throws -> APIKeyRecord? {
        try await db.raw("""
            SELECT id, tenant_id, prefix, label, inserted_at, revoked_at FROM api_keys
            WHERE key_hash = \(bind: hash) AND revoked_at IS NULL
            """).first().map(Self.apiKey)
    }

    func apiKeys(tenantId: String) async throws -> [APIKeyRecord] {
        try await db.raw("""
            SELECT id, tenant_id, prefix, label, inserted_at, revoked_at FROM api_keys
            WHERE tenant_id = \(bind: tenantId) ORDER BY inserted_at
            """).all().map(Self.apiKey)
    }

    /// Revokes a key by id or prefix; returns whether one was revoked.
    func revokeAPIKey(idOrPrefix: String, at time: Int64) async throws -> Bool {
        let rows = try await db.raw("""
            UPDATE api_keys SET revoked_at = \(bind: time)
            WHERE (id = \(bind: idOrPrefix) OR prefix = \(bind: idOrPrefix)) AND revoked_at IS NULL
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    func hasAnyTenant() async throws -> Bool {
        try await db.raw("SELECT id FROM tenants LIMIT 1").first() != nil
    }

    private static func apiKey(_ row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.string("id"), tenantId: try row.string("tenant_id"), prefix: try row.string("prefix"),
            label: try row.optionalString("label"), insertedAt: try row.int64("inserted_at"),
            revokedAt: try row.optionalInt64("revoked_at"))
    }
}
