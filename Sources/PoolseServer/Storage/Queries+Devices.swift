import PoolseWire
import SQLKit

/// A device as stored, with its token (which the API never shows).
struct DeviceRecord: Sendable, Equatable {
    var device: Device
    var token: String

    /// The device as the push providers need it.
    var pushDevice: PushDevice {
        PushDevice(id: device.id, tenantId: device.tenantId, userId: device.userId, token: token,
                   platform: device.platform == .android ? .android : .ios,
                   environment: device.environment == .sandbox ? .sandbox : .production,
                   kind: device.kind == .voip ? .voip : .alert)
    }
}

extension Queries {
    private static let deviceColumns: SQLQueryString = """
        id, tenant_id, user_id, token, platform, environment, kind, last_registered_at, inserted_at, updated_at
        """

    /// Registers a token for `record`'s user: a token already known in the tenant (to anyone)
    /// keeps its id and moves to this user with the new platform, environment and kind.
    func upsertDevice(_ record: DeviceRecord) async throws -> DeviceRecord {
        let d = record.device
        let now = WireTime.micros(d.updatedAt)
        try await db.raw("""
            INSERT INTO devices (\(Self.deviceColumns))
            VALUES (\(bind: d.id), \(bind: d.tenantId), \(bind: d.userId), \(bind: record.token), \(bind: d.platform.rawValue),
              \(bind: d.environment.rawValue), \(bind: d.kind.rawValue), \(bind: now), \(bind: now), \(bind: now))
            ON CONFLICT (tenant_id, token) DO UPDATE SET user_id = \(bind: d.userId), platform = \(bind: d.platform.rawValue),
              environment = \(bind: d.environment.rawValue), kind = \(bind: d.kind.rawValue), last_registered_at = \(bind: now),
              updated_at = \(bind: now)
            """).run()
        guard let stored = try await device(token: record.token, tenantId: d.tenantId) else { return record }
        return stored
    }

    func device(token: String, tenantId: String) async throws -> DeviceRecord? {
        try await db.raw("""
            SELECT \(Self.deviceColumns) FROM devices WHERE token = \(bind: token) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.device)
    }

    func device(id: String) async throws -> DeviceRecord? {
        try await db.raw("SELECT \(Self.deviceColumns) FROM devices WHERE id = \(bind: id)").first().map(Self.device)
    }

    /// A user's devices, oldest first; only those of `kind` when given.
    func devices(userIds: [String], kind: DeviceKind? = nil) async throws -> [DeviceRecord] {
        guard !userIds.isEmpty else { return [] }
        let filter: SQLQueryString = kind.map { " AND kind = \(bind: $0.rawValue)" } ?? ""
        return try await db.raw("""
            SELECT \(Self.deviceColumns) FROM devices WHERE user_id IN (\(binds: userIds))\(filter)
            ORDER BY inserted_at, id
            """).all().map(Self.device)
    }

    /// Whether the tenant has any device at all (no push fan-out is queued otherwise).
    func tenantHasDevices(_ tenantId: String) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM devices WHERE tenant_id = \(bind: tenantId) LIMIT 1").first() != nil
    }

    /// Deletes the caller's device with that token; false when the caller has none.
    @discardableResult
    func deleteDevice(token: String, userId: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM devices WHERE token = \(bind: token) AND user_id = \(bind: userId) RETURNING id
            """).first() != nil
    }

    /// Deletes a device the push provider says is gone.
    func deleteDevice(id: String) async throws {
        try await db.raw("DELETE FROM devices WHERE id = \(bind: id)").run()
    }

    /// Whether the tenant shows message text in pushes (`push_preview`, on by default).
    func pushPreview(tenantId: String) async throws -> Bool {
        try await db.raw("SELECT push_preview FROM tenants WHERE id = \(bind: tenantId)").first()?.bool("push_preview") ?? true
    }

    func setPushPreview(_ enabled: Bool, tenantId: String) async throws {
        try await db.raw("UPDATE tenants SET push_preview = \(bind: enabled ? 1 : 0) WHERE id = \(bind: tenantId)").run()
    }

    /// Members of a conversation who may get a push about `sender`'s message: everyone but the
    /// sender who has not muted it (`muted_until` in the future) and does not block the sender.
    func pushCandidates(conversationId: String, senderId: String, now: Int64) async throws -> [String] {
        try await db.raw("""
            SELECT m.user_id FROM memberships m
            WHERE m.conversation_id = \(bind: conversationId) AND m.user_id <> \(bind: senderId)
              AND (m.muted_until IS NULL OR m.muted_until <= \(bind: now))
              AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = m.user_id AND b.blocked_id = \(bind: senderId))
            ORDER BY m.user_id
            """).all().map { try $0.string("user_id") }
    }

    /// A user's unread messages over all conversations (the badge).
    func totalUnread(userId: String) async throws -> Int {
        let ids = try await db.raw("SELECT conversation_id FROM memberships WHERE user_id = \(bind: userId)").all()
            .map { try $0.string("conversation_id") }
        return try await unreadCounts(userId: userId, conversationIds: ids).values.reduce(0, +)
    }

    private static func device(_ row: any SQLRow) throws -> DeviceRecord {
        DeviceRecord(
            device: Device(
                id: try row.string("id"), tenantId: try row.string("tenant_id"), userId: try row.string("user_id"),
                platform: DevicePlatform(rawValue: try row.string("platform")),
                environment: DeviceEnvironment(rawValue: try row.string("environment")),
                kind: DeviceKind(rawValue: try row.string("kind")), lastRegisteredAt: try row.date("last_registered_at"),
                insertedAt: try row.date("inserted_at"), updatedAt: try row.date("updated_at")),
            token: try row.string("token"))
    }
}
