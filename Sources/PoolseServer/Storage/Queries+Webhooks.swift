import PoolseWire
import SQLKit

/// A webhook endpoint as stored: its secret possibly sealed (`SecretSealer`).
struct WebhookEndpointRecord: Sendable {
    var endpoint: WebhookEndpoint
    var secret: String
    var secretSealed: Bool
}

extension Queries {
    private static let endpointColumns: SQLQueryString =
        "id, tenant_id, url, events, secret, secret_sealed, enabled, inserted_at, updated_at"

    func insertWebhookEndpoint(_ record: WebhookEndpointRecord) async throws {
        let e = record.endpoint
        try await db.raw("""
            INSERT INTO webhook_endpoints (\(Self.endpointColumns))
            VALUES (\(bind: e.id), \(bind: e.tenantId), \(bind: e.url), \(bind: JSONText.encode(e.events) ?? "[]"),
              \(bind: record.secret), \(bind: record.secretSealed ? 1 : 0), \(bind: e.enabled ? 1 : 0),
              \(bind: WireTime.micros(e.insertedAt)), \(bind: WireTime.micros(e.updatedAt)))
            """).run()
    }

    func updateWebhookEndpoint(_ endpoint: WebhookEndpoint) async throws {
        try await db.raw("""
            UPDATE webhook_endpoints SET url = \(bind: endpoint.url), events = \(bind: JSONText.encode(endpoint.events) ?? "[]"),
              enabled = \(bind: endpoint.enabled ? 1 : 0), updated_at = \(bind: WireTime.micros(endpoint.updatedAt))
            WHERE id = \(bind: endpoint.id) AND tenant_id = \(bind: endpoint.tenantId)
            """).run()
    }

    func webhookEndpoint(id: String, tenantId: String) async throws -> WebhookEndpointRecord? {
        try await db.raw("""
            SELECT \(Self.endpointColumns) FROM webhook_endpoints WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.endpoint)
    }

    /// The tenant's endpoints, oldest first.
    func webhookEndpoints(tenantId: String) async throws -> [WebhookEndpointRecord] {
        try await db.raw("""
            SELECT \(Self.endpointColumns) FROM webhook_endpoints WHERE tenant_id = \(bind: tenantId)
            ORDER BY inserted_at, id
            """).all().map(Self.endpoint)
    }

    func webhookEndpointCount(tenantId: String) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE tenant_id = \(bind: tenantId)").first()?.int("n") ?? 0
    }

    @discardableResult
    func deleteWebhookEndpoint(id: String, tenantId: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM webhook_endpoints WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId) RETURNING id
            """).first() != nil
    }

    private static func endpoint(_ row: any SQLRow) throws -> WebhookEndpointRecord {
        WebhookEndpointRecord(
            endpoint: WebhookEndpoint(
                id: try row.string("id"), tenantId: try row.string("tenant_id"), url: try row.string("url"),
                events: JSONText.decodeStrings(try row.optionalString("events")), enabled: try row.bool("enabled"),
                insertedAt: try row.date("inserted_at"), updatedAt: try row.date("updated_at")),
            secret: try row.string("secret"), secretSealed: try row.bool("secret_sealed"))
    }
}
