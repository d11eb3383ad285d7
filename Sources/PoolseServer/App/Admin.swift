import Foundation
import PoolseWire

/// Operator actions behind `poolse tenant|key|user` (no HTTP route bootstraps a tenant).
public struct Admin: Sendable {
    let store: Store
    let keys: SigningKeys
    let configuration: ServerConfiguration

    /// A tenant as the command line shows it.
    public struct TenantInfo: Sendable {
        public let id: String
        public let name: String
    }

    /// An API key as listings show it (never the key itself).
    public struct KeyInfo: Sendable {
        public let id: String
        public let tenantId: String
        public let prefix: String
        public let label: String?
        public let createdAt: Date
        public let revoked: Bool
    }

    /// Creates a tenant and its first API key; the key is returned once and never stored.
    public func createTenant(name: String) async throws -> (tenant: TenantInfo, apiKey: String) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw ConfigError("a tenant name is 1 to 200 characters") }
        let tenant = TenantRecord(id: IDs.make(), name: trimmed, insertedAt: WallClock.nowMicros())
        let key = APIKeys.generate()
        try await store.transaction { q in
            try await q.insertTenant(tenant)
            try await q.insertAPIKey(Self.record(for: key, tenantId: tenant.id, label: "initial"), hash: APIKeys.hash(key))
        }
        return (TenantInfo(id: tenant.id, name: tenant.name), key)
    }

    public func tenants() async throws -> [TenantInfo] {
        try await store.read { try await $0.tenants() }.map { TenantInfo(id: $0.id, name: $0.name) }
    }

    /// Creates another API key for a tenant named by id or name.
    public func createKey(tenant: String, label: String?) async throws -> String {
        let record = try await resolveTenant(tenant)
        let key = APIKeys.generate()
        try await store.transaction { q in
            try await q.insertAPIKey(Self.record(for: key, tenantId: record.id, label: label), hash: APIKeys.hash(key))
        }
        return key
    }

    public func listKeys(tenant: String) async throws -> [KeyInfo] {
        let record = try await resolveTenant(tenant)
        return try await store.read { try await $0.apiKeys(tenantId: record.id) }.map {
            KeyInfo(id: $0.id, tenantId: $0.tenantId, prefix: $0.prefix, label: $0.label,
                    createdAt: WireTime.date(micros: $0.insertedAt), revoked: $0.revokedAt != nil)
        }
    }

    /// Revokes a key by id or by its listed prefix.
    public func revokeKey(_ idOrPrefix: String) async throws {
        let now = WallClock.nowMicros()
        guard try await store.transaction({ try await $0.revokeAPIKey(idOrPrefix: idOrPrefix, at: now) }) else {
            throw ConfigError("no active API key with id or prefix \(idOrPrefix)")
        }
    }

    /// Mints a token for the user with `externalId`, creating the user if needed.
    public func userToken(tenant: String, externalId: String, ttlSeconds: Int) async throws -> TokenResponse {
        let record = try await resolveTenant(tenant)
        let now = Date()
        let user = User(id: IDs.make(), tenantId: record.id, externalId: externalId, insertedAt: now, updatedAt: now)
        guard let stored = try await store.transaction({ try await $0.insertOrFetchUser(user)?.user }) else {
            throw ConfigError("the user could not be stored")
        }
        guard !stored.isBlocked else { throw ConfigError("user \(externalId) is blocked") }
        return try UserService.token(for: stored, ttlSeconds: ttlSeconds, keys: keys)
    }

    private func resolveTenant(_ idOrName: String) async throws -> TenantRecord {
        guard let tenant = try await store.read({ try await $0.tenant(idOrName: idOrName) }) else {
            throw ConfigError("no tenant with id or name \(idOrName)")
        }
        return tenant
    }

    private static func record(for key: String, tenantId: String, label: String?) -> APIKeyRecord {
        APIKeyRecord(id: IDs.make(), tenantId: tenantId, prefix: APIKeys.prefix(key), label: label,
                     insertedAt: WallClock.nowMicros(), revokedAt: nil)
    }

    // MARK: - Signing keys kept in the database

    /// Adds a new token signing key in front of the stored ones; nodes sign with it from their
    /// next start, and the older keys keep verifying. Returns its key id.
    public func rotateSigningKeys() async throws -> String {
        try refuseConfiguredKeys()
        return try await SharedSecrets(store: store, configuration: configuration).rotateSigningKeys()
    }

    /// Drops a stored signing key; the tokens it signed stop verifying at each node's next start.
    public func retireSigningKey(kid: String) async throws {
        try refuseConfiguredKeys()
        try await SharedSecrets(store: store, configuration: configuration).retireSigningKey(kid: kid)
    }

    private func refuseConfiguredKeys() throws {
        if let configured = configuration.jwtSecrets, !configured.isEmpty {
            throw ConfigError("--jwt-secrets is set: rotate by changing it (new key first) instead")
        }
    }
}
