import PoolseWire

/// How events are stored in `outbox_events`: a batch is one row whose text is a
/// `NotificationBatch` (a header line and the payload line per event), so a finished realtime
/// message is stored without decoding or re-encoding its payload. Expansion requests ride on
/// reserved topics no client can join.
extension DomainEvent {
    static let updatedRequestTopic = "outbox:conversation_updated"
    static let createdRequestTopic = "outbox:conversation_created"

    /// The event as the line pair it is stored as.
    var outboxMessage: RealtimeMessage {
        switch self {
        case .realtime(let message):
            return message
        case .conversationUpdated(let conversationId, let tenantId, let byUserId, let recipients, let includeMembers):
            return RealtimeMessage(topic: Self.updatedRequestTopic, event: RealtimeEvent.conversationUpdated, payload: [
                "conversation_id": .string(conversationId), "tenant_id": .string(tenantId),
                "by_user_id": byUserId.map(JSONValue.string) ?? .null,
                "recipients": recipients.map { .array($0.map(JSONValue.string)) } ?? .null,
                "include_members": .bool(includeMembers),
            ])
        case .conversationCreated(let conversationId, let tenantId, let recipients):
            return RealtimeMessage(topic: Self.createdRequestTopic, event: RealtimeEvent.conversationCreated, payload: [
                "conversation_id": .string(conversationId), "tenant_id": .string(tenantId),
                "recipients": .array(recipients.map(JSONValue.string)),
            ])
        }
    }

    /// Reads a stored event back; nil when a request row is malformed.
    init?(outboxMessage message: RealtimeMessage) {
        guard message.topic == Self.updatedRequestTopic || message.topic == Self.createdRequestTopic else {
            self = .realtime(message)
            return
        }
        guard let fields = message.payload.objectValue,
              let conversationId = fields["conversation_id"]?.stringValue,
              let tenantId = fields["tenant_id"]?.stringValue
        else { return nil }
        let recipients = fields["recipients"]?.arrayValue?.compactMap(\.stringValue)
        if message.topic == Self.createdRequestTopic {
            self = .conversationCreated(conversationId: conversationId, tenantId: tenantId, recipients: recipients ?? [])
        } else {
            self = .conversationUpdated(conversationId: conversationId, tenantId: tenantId,
                                        byUserId: fields["by_user_id"]?.stringValue, recipients: recipients,
                                        includeMembers: fields["include_members"]?.boolValue ?? false)
        }
    }

    /// A batch as the text of one outbox row.
    static func outboxText(_ events: [DomainEvent]) -> String {
        NotificationBatch.encode(events.map(\.outboxMessage))
    }

    /// An outbox row's text read back.
    static func events(outboxText text: String) throws -> [DomainEvent] {
        try NotificationBatch.decode(text).compactMap(DomainEvent.init(outboxMessage:))
    }
}
