import PoolseWire
import SQLKit

extension Queries {
    private static let userColumns =
        "id, tenant_id, external_id, display_name, custom_data, is_blocked, inserted_at, updated_at"

    func user(id: String, tenantId: String) async throws -> User? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.user)
    }

    func user(externalId: String, tenantId: String) async throws -> User? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns) FROM users
            WHERE external_id = \(bind: externalId) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.user)
    }

    /// Users of a tenant by external id; unknown ids are simply absent from the result.
    func users(externalIds: [String], tenantId: String) async throws -> [User] {
        guard !externalIds.isEmpty else { return [] }
        return try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns) FROM users
            WHERE tenant_id = \(bind: tenantId) AND external_id IN (\(binds: externalIds))
            """).all().map(Self.user)
    }

    /// Inserts the user unless one with the same external id exists; returns the stored
    /// row and whether it is new (nil only if the row vanished in between). Safe under
    /// concurrent calls for the same external id.
    func insertOrFetchUser(_ user: User) async throws -> (user: User, created: Bool)? {
        let inserted = try await db.raw("""
            INSERT INTO users (id, tenant_id, external_id, display_name, custom_data, is_blocked, inserted_at, updated_at)
            VALUES (\(bind: user.id), \(bind: user.tenantId), \(bind: user.externalId), \(bind: user.displayName),
                    \(bind: JSONText.encode(user.customData)), 0, \(bind: WireTime.micros(user.insertedAt)),
                    \(bind: WireTime.micros(user.updatedAt)))
            ON CONFLICT (tenant_id, external_id) DO NOTHING
            RETURNING id
            """).first()
        if inserted != nil { return (user, true) }
        return try await self.user(externalId: user.externalId, tenantId: user.tenantId).map { ($0, false) }
    }

    func updateUser(_ user: User) async throws {
        try await db.raw("""
            UPDATE users SET display_name = \(bind: user.displayName), custom_data = \(bind: JSONText.encode(user.customData)),
              is_blocked = \(bind: user.isBlocked ? 1 : 0), updated_at = \(bind: WireTime.micros(user.updatedAt))
            WHERE id = \(bind: user.id) AND tenant_id = \(bind: user.tenantId)
            """).run()
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            id: try row.string("id"), tenantId: try row.string("tenant_id"), externalId: try row.string("external_id"),
            displayName: try row.optionalString("display_name"), customData: try row.jsonObject("custom_data"),
            isBlocked: try row.bool("is_blocked"), insertedAt: try row.date("inserted_at"),
            updatedAt: try row.date("updated_at"))
    }
}
