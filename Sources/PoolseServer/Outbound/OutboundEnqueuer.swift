import PoolseWire

/// Turns a change's `OutboundJob`s into `outbound_jobs` rows, inside the change's transaction.
///
/// A webhook event becomes one row per enabled endpoint of the tenant subscribed to its type,
/// each chained (`order_key`) with the endpoint's other deliveries about the same conversation.
/// A message's push fan-out is one row, written only when the tenant has any device at all.
/// Rows of one change get consecutive `created_at` values so their order survives.
struct OutboundEnqueuer: Sendable {
    /// The destination of fan-out jobs (they only read and write rows, so they share one bound).
    static let fanoutDestination = "fanout"
    /// This node's worker, woken after a commit that wrote jobs (nil: it finds them by polling).
    var signal: OutboundSignal?

    /// Tells this node's worker that jobs were committed.
    func wake() { signal?.notify() }

    func write(_ jobs: [OutboundJob], _ q: Queries) async throws {
        let now = WallClock.nowMicros()
        var endpointsByTenant: [String: [WebhookEndpointRecord]] = [:]
        for (index, job) in jobs.enumerated() {
            let createdAt = now + Int64(index)
            switch job {
            case .webhook(let event):
                if endpointsByTenant[event.tenantId] == nil {
                    endpointsByTenant[event.tenantId] = try await q.webhookEndpoints(tenantId: event.tenantId)
                }
                let subscribed = endpointsByTenant[event.tenantId, default: []]
                    .filter { $0.endpoint.enabled && $0.endpoint.events.contains(event.type) }
                guard !subscribed.isEmpty else { continue }
                let body = try event.body()
                for record in subscribed {
                    try await q.insertJob(Self.delivery(of: event, body: body, to: record.endpoint.id, at: createdAt))
                }
            case .messagePush(let push):
                guard try await q.tenantHasDevices(push.tenantId) else { continue }
                var row = try Self.row(.messagePush, tenantId: push.tenantId, destination: Self.fanoutDestination,
                                       payload: push, at: createdAt)
                // One conversation's fan-outs run one after another, so their collapse decisions see each other.
                row.orderKey = "push:\(push.conversationId)"
                try await q.insertJob(row)
            case .userPush(let push):
                try await q.insertJob(try Self.row(.userPush, tenantId: push.tenantId, destination: Self.fanoutDestination,
                                                   payload: push, at: createdAt))
            case .bulkDeletion(let tenantId, let userId):
                var row = try Self.row(.bulkDeletion, tenantId: tenantId, destination: "bulk:\(tenantId)",
                                       payload: BulkDeletionJob(tenantId: tenantId, userId: userId), at: createdAt)
                row.orderKey = "bulk:\(userId)"
                try await q.insertJob(row)
            }
        }
    }

    /// The delivery row of `event` to one endpoint.
    static func delivery(of event: WebhookEvent, body: String, to endpointId: String, at createdAt: Int64) -> OutboundJobRow {
        OutboundJobRow(
            id: IDs.make(), tenantId: event.tenantId, kind: OutboundJobKind.webhook.rawValue,
            destination: "webhook:\(endpointId)", orderKey: event.conversationId.map { "webhook:\(endpointId):\($0)" },
            endpointId: endpointId, eventId: event.id, eventType: event.type, payload: body, runAfter: createdAt,
            createdAt: createdAt, updatedAt: createdAt)
    }

    /// A row whose payload is `payload` as JSON.
    static func row<Payload: Encodable>(_ kind: OutboundJobKind, tenantId: String, destination: String,
                                        payload: Payload, at createdAt: Int64) throws -> OutboundJobRow {
        OutboundJobRow(id: IDs.make(), tenantId: tenantId, kind: kind.rawValue, destination: destination,
                       payload: String(decoding: try WireCoding.encoder.encode(payload), as: UTF8.self),
                       runAfter: createdAt, createdAt: createdAt, updatedAt: createdAt)
    }
}

/// The payload of a `bulk_deletion` job.
struct BulkDeletionJob: Sendable, Codable {
    var tenantId: String
    var userId: String
}
