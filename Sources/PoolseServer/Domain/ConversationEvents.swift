import PoolseWire

/// The user-topic events about one conversation, `conversation:created` and
/// `conversation:updated` (PROTOCOL.md §6): each recipient gets the same conversation with their
/// own `unread_count`. The conversation is encoded once and only the count differs per recipient;
/// every count comes from one query.
enum ConversationEvents {
    /// `conversation:updated` `{conversation, by_user_id}` for every member, or only `recipients`.
    static func updated(conversationId: String, tenantId: String, by userId: String?, to recipients: [String]? = nil,
                        _ q: Queries) async throws -> [RealtimeMessage] {
        try await events(RealtimeEvent.conversationUpdated, conversationId: conversationId, tenantId: tenantId,
                         recipients: recipients, q) { conversation in
            ["conversation": conversation, "by_user_id": userId.map(JSONValue.string) ?? .null]
        }
    }

    /// `conversation:created` (the conversation itself) for users who just gained a membership.
    static func created(conversationId: String, tenantId: String, to recipients: [String],
                        _ q: Queries) async throws -> [RealtimeMessage] {
        try await events(RealtimeEvent.conversationCreated, conversationId: conversationId, tenantId: tenantId,
                         recipients: recipients, q) { $0 }
    }

    private static func events(_ event: String, conversationId: String, tenantId: String, recipients: [String]?,
                               _ q: Queries, payload: (JSONValue) -> JSONValue) async throws -> [RealtimeMessage] {
        guard let record = try await q.conversation(id: conversationId, tenantId: tenantId) else { return [] }
        var conversation = record.conversation
        conversation.memberExternalIds = try await q.memberExternalIds(conversationIds: [conversationId])[conversationId] ?? []
        conversation.unreadCount = 0
        guard case .object(let base) = try JSONValue.from(conversation) else { return [] }
        // Members only: a recipient who is not (or no longer) a member has no count and gets nothing.
        let unread = try await q.unreadCountsByMember(conversationId: conversationId, userIds: recipients)
        return (recipients ?? unread.keys.sorted()).compactMap { userId in
            guard let count = unread[userId] else { return nil }
            var view = base
            view["unread_count"] = .number(Double(count))
            return RealtimeMessage(topic: RealtimeMessage.userTopic(userId), event: event, payload: payload(.object(view)))
        }
    }
}
