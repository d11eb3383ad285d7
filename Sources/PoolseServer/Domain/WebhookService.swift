import Foundation
import PoolseWire

/// The tenant's webhook endpoints (API key) and their deliveries. The signing secret is shown
/// once, in the answer to the creation, and stored sealed when the server has `--secrets-key`.
struct WebhookService: Sendable {
    let store: Store
    let committer: ChangeCommitter
    let configuration: OutboundConfiguration
    let sealer: SecretSealer?

    static let maxURLLength = 2048
    static let secretLengths = 16...128

    private var policy: WebhookAddressPolicy { WebhookAddressPolicy(allowPrivate: configuration.allowPrivateWebhooks) }

    func create(_ request: WebhookCreateRequest, tenantId: String) async throws -> WebhookEndpoint {
        let url = try validURL(request.url)
        let events = try validEvents(request.events)
        let secret = try request.secret.map(validSecret) ?? Self.generateSecret()
        let now = WireTime.date(micros: WallClock.nowMicros())
        let endpoint = WebhookEndpoint(id: IDs.make(), tenantId: tenantId, url: url, events: events, enabled: true,
                                       insertedAt: now, updatedAt: now)
        let stored = try sealer.map { try $0.seal(secret) } ?? secret
        let limit = configuration.maxWebhooksPerTenant
        var created = try await committer.commit(lane: nil) { q in
            guard try await q.webhookEndpointCount(tenantId: tenantId) < limit else {
                throw DomainError.validation("url", "a tenant can have at most \(limit) webhook endpoints")
            }
            try await q.insertWebhookEndpoint(WebhookEndpointRecord(endpoint: endpoint, secret: stored, secretSealed: sealer != nil))
            var shown = endpoint
            shown.secret = secret
            return Change(shown)
        }
        created.secret = secret
        return created
    }

    func list(tenantId: String) async throws -> [WebhookEndpoint] {
        try await store.read { try await $0.webhookEndpoints(tenantId: tenantId).map(\.endpoint) }
    }

    func get(id: String, tenantId: String) async throws -> WebhookEndpoint {
        try await record(id: id, tenantId: tenantId).endpoint
    }

    func update(id: String, _ request: WebhookUpdateRequest, tenantId: String) async throws -> WebhookEndpoint {
        let url = try request.url.map(validURL)
        let events = try request.events.map(validEvents)
        return try await committer.commit(lane: nil) { q in
            guard var endpoint = try await q.webhookEndpoint(id: id, tenantId: tenantId)?.endpoint else {
                throw DomainError.notFound("webhook")
            }
            if let url { endpoint.url = url }
            if let events { endpoint.events = events }
            if let enabled = request.enabled { endpoint.enabled = enabled }
            endpoint.updatedAt = WireTime.date(micros: WallClock.nowMicros())
            try await q.updateWebhookEndpoint(endpoint)
            return Change(endpoint)
        }
    }

    /// Deletes the endpoint and its deliveries (pending ones are never made).
    func delete(id: String, tenantId: String) async throws {
        try await committer.commit(lane: nil) { q in
            guard try await q.deleteWebhookEndpoint(id: id, tenantId: tenantId) else { throw DomainError.notFound("webhook") }
            try await q.deleteDeliveries(endpointId: id)
            return Change(events: [])
        }
    }

    /// The endpoint's deliveries, newest first; `cursor` is the id of the last one of the previous page.
    func deliveries(webhookId: String, tenantId: String, cursor: String?, limit: Int) async throws -> [WebhookDelivery] {
        try await store.read { q in
            guard try await q.webhookEndpoint(id: webhookId, tenantId: tenantId) != nil else { throw DomainError.notFound("webhook") }
            var before: OutboundJobRow?
            if let cursor {
                guard let id = IDs.canonical(cursor), let row = try await q.delivery(id: id, endpointId: webhookId) else {
                    throw DomainError.validation("cursor", "is not a delivery of this webhook")
                }
                before = row
            }
            return try await q.deliveries(endpointId: webhookId, limit: limit, before: before).map(Self.delivery)
        }
    }

    /// Schedules a delivery again at once (its event id stays the same).
    func retry(webhookId: String, deliveryId: String, tenantId: String) async throws -> WebhookDelivery {
        try await committer.commit(lane: nil) { q in
            guard try await q.webhookEndpoint(id: webhookId, tenantId: tenantId) != nil,
                  try await q.delivery(id: deliveryId, endpointId: webhookId) != nil
            else { throw DomainError.notFound("delivery") }
            try await q.replayDelivery(id: deliveryId, at: WallClock.nowMicros())
            guard let row = try await q.delivery(id: deliveryId, endpointId: webhookId) else { throw DomainError.internalError }
            return Change(Self.delivery(row))
        }
    }

    // MARK: - Helpers

    private func record(id: String, tenantId: String) async throws -> WebhookEndpointRecord {
        guard let record = try await store.read({ try await $0.webhookEndpoint(id: id, tenantId: tenantId) }) else {
            throw DomainError.notFound("webhook")
        }
        return record
    }

    private func validURL(_ url: String) throws -> String {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= Self.maxURLLength else {
            throw DomainError.validation("url", "is longer than \(Self.maxURLLength) characters")
        }
        if let problem = policy.problem(with: trimmed) { throw DomainError.validation("url", problem) }
        return trimmed
    }

    private func validEvents(_ events: [String]) throws -> [String] {
        guard !events.isEmpty else { throw DomainError.validation("events", "can't be empty") }
        var unique: [String] = []
        for event in events {
            guard WebhookEvent.types.contains(event) else { throw DomainError.validation("events", "\(event) is not an event type") }
            if !unique.contains(event) { unique.append(event) }
        }
        return unique
    }

    private func validSecret(_ secret: String) throws -> String {
        guard Self.secretLengths.contains(secret.count) else {
            throw DomainError.validation("secret", "must be \(Self.secretLengths.lowerBound) to \(Self.secretLengths.upperBound) characters")
        }
        return secret
    }

    /// `whsec_` and 48 hex digits (192 random bits).
    static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func delivery(_ row: OutboundJobRow) -> WebhookDelivery {
        let status = switch OutboundJobStatus(rawValue: row.status) {
        case .done: "delivered"
        case .failed: "failed"
        default: "pending"
        }
        return WebhookDelivery(
            id: row.id, webhookId: row.endpointId ?? "", eventId: row.eventId ?? row.id, eventType: row.eventType ?? "",
            status: status, attempts: row.attempts, lastStatusCode: row.lastStatusCode, lastLatencyMs: row.lastLatencyMs,
            lastError: row.lastError, nextAttemptAt: status == "pending" ? WireTime.date(micros: row.runAfter) : nil,
            insertedAt: WireTime.date(micros: row.createdAt), completedAt: row.completedAt.map(WireTime.date(micros:)))
    }
}
