import Foundation
import PoolseWire

/// One event as webhook receivers get it: `{id, type, tenant_id, created_at, data}`. The id is
/// the `Poolse-Event-Id` of every delivery of it (to every endpoint, on every retry), so
/// receivers can drop duplicates.
struct WebhookEvent: Sendable, Equatable {
    var id: String
    var type: String
    var tenantId: String
    /// Deliveries of events of one conversation to one endpoint are made in order.
    var conversationId: String?
    var createdAt: Int64
    var data: JSONValue

    /// The event types an endpoint can subscribe to.
    static let types: [String] = [
        messageCreated, messageUpdated, messageDeleted, reactionAdded, reactionRemoved, conversationCreated,
        conversationUpdated, memberAdded, memberRemoved, userCreated, reportCreated,
    ]
    static let messageCreated = "message.created"
    static let messageUpdated = "message.updated"
    static let messageDeleted = "message.deleted"
    static let reactionAdded = "reaction.added"
    static let reactionRemoved = "reaction.removed"
    static let conversationCreated = "conversation.created"
    static let conversationUpdated = "conversation.updated"
    static let memberAdded = "member.added"
    static let memberRemoved = "member.removed"
    static let userCreated = "user.created"
    static let reportCreated = "report.created"

    /// An event with a fresh id, its data `value` as JSON.
    static func make<Data: Encodable>(_ type: String, tenantId: String, conversationId: String?,
                                      _ value: Data) throws -> WebhookEvent {
        WebhookEvent(id: IDs.make(), type: type, tenantId: tenantId, conversationId: conversationId,
                     createdAt: WallClock.nowMicros(), data: try JSONValue.from(value))
    }

    /// The body POSTed to endpoints.
    func body() throws -> String {
        let envelope: JSONValue = .object([
            "id": .string(id), "type": .string(type), "tenant_id": .string(tenantId),
            "created_at": .string(WireTime.format(micros: createdAt)), "data": data,
        ])
        return String(decoding: try WireCoding.encoder.encode(envelope), as: UTF8.self)
    }
}

extension OutboundJob {
    /// A webhook job for an event of `type` whose data is `value`.
    static func webhook<Data: Encodable>(_ type: String, tenantId: String, conversationId: String?,
                                         _ value: Data) throws -> OutboundJob {
        .webhook(try WebhookEvent.make(type, tenantId: tenantId, conversationId: conversationId, value))
    }
}
