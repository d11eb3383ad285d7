import PoolseWire

/// Something a committed change tells the rest of the system: written in the change's own
/// transaction (the `outbox_events` table), published after the commit.
///
/// Most events are finished realtime messages. The user-topic events about a conversation are
/// written as a request instead and expanded when they are published: each member's unread
/// count is read then, on a reader, so the single writer is not held for a query that grows
/// with the room (see `ConversationEvents`).
enum DomainEvent: Sendable, Equatable {
    /// A realtime message (or a `GatewayCommand`) ready to publish.
    case realtime(RealtimeMessage)
    /// `conversation:updated` for every member, or only `recipients`.
    case conversationUpdated(conversationId: String, tenantId: String, byUserId: String?, recipients: [String]?,
                             includeMembers: Bool)
    /// `conversation:created` for users who just gained a membership.
    case conversationCreated(conversationId: String, tenantId: String, recipients: [String])

    /// A realtime event encoding `value` as its payload.
    static func realtime<Payload: Encodable>(topic: String, event: String, encoding value: Payload,
                                            exceptUserId: String? = nil) throws -> DomainEvent {
        .realtime(try RealtimeMessage(topic: topic, event: event, encoding: value, exceptUserId: exceptUserId))
    }

    /// An event on `conversation:<id>`.
    static func conversation<Payload: Encodable>(_ conversationId: String, _ event: String,
                                                 _ value: Payload) throws -> DomainEvent {
        try realtime(topic: RealtimeMessage.conversationTopic(conversationId), event: event, encoding: value)
    }

    /// A command for every gateway.
    static func command(_ command: GatewayCommand) -> DomainEvent { .realtime(command.message) }
}
