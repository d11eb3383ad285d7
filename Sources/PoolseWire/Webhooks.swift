import Foundation

/// `POST /v1/webhooks`: an endpoint to deliver events to.
public struct WebhookCreateRequest: Codable, Hashable, Sendable {
    /// An `http` or `https` URL.
    public var url: String
    /// Event types, e.g. `message.created`.
    public var events: [String]
    /// The signing secret (16 to 128 characters); generated when absent.
    public var secret: String?

    /// Creates the request.
    public init(url: String, events: [String], secret: String? = nil) {
        self.url = url
        self.events = events
        self.secret = secret
    }
}

/// `PATCH /v1/webhooks/:id`: what to change.
public struct WebhookUpdateRequest: Codable, Hashable, Sendable {
    public var url: String?
    public var events: [String]?
    /// A disabled endpoint gets no new deliveries.
    public var enabled: Bool?

    /// Creates the request.
    public init(url: String? = nil, events: [String]? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.enabled = enabled
    }
}

/// A webhook endpoint. `secret` is present only in the answer to its creation.
public struct WebhookEndpoint: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var tenantId: String
    public var url: String
    public var events: [String]
    public var enabled: Bool
    /// The signing secret, shown once.
    public var secret: String?
    public var insertedAt: Date
    public var updatedAt: Date

    /// Creates the value.
    public init(id: String, tenantId: String, url: String, events: [String], enabled: Bool, secret: String? = nil,
                insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.url = url
        self.events = events
        self.enabled = enabled
        self.secret = secret
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, enabled, secret
        case tenantId = "tenant_id", insertedAt = "inserted_at", updatedAt = "updated_at"
    }
}

/// One event's delivery to one endpoint: `pending` (waiting or retrying), `delivered` or `failed`.
public struct WebhookDelivery: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var webhookId: String
    /// The `Poolse-Event-Id` header of every attempt.
    public var eventId: String
    public var eventType: String
    public var status: String
    public var attempts: Int
    /// The HTTP status of the last attempt; nil when it got no answer.
    public var lastStatusCode: Int?
    /// How long the last attempt took, in milliseconds.
    public var lastLatencyMs: Int?
    public var lastError: String?
    /// When the next attempt is due (pending deliveries).
    public var nextAttemptAt: Date?
    public var insertedAt: Date
    /// When it was delivered or given up.
    public var completedAt: Date?

    /// Creates the value.
    public init(id: String, webhookId: String, eventId: String, eventType: String, status: String, attempts: Int,
                lastStatusCode: Int?, lastLatencyMs: Int?, lastError: String?, nextAttemptAt: Date?, insertedAt: Date,
                completedAt: Date?) {
        self.id = id
        self.webhookId = webhookId
        self.eventId = eventId
        self.eventType = eventType
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastLatencyMs = lastLatencyMs
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.insertedAt = insertedAt
        self.completedAt = completedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status, attempts
        case webhookId = "webhook_id", eventId = "event_id", eventType = "event_type"
        case lastStatusCode = "last_status_code", lastLatencyMs = "last_latency_ms", lastError = "last_error"
        case nextAttemptAt = "next_attempt_at", insertedAt = "inserted_at", completedAt = "completed_at"
    }
}
