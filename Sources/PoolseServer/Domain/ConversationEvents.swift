import Foundation
import PoolseWire

/// The user-topic events about one conversation, `conversation:created` and
/// `conversation:updated` (PROTOCOL.md §6): each recipient gets the same conversation with their
/// own `unread_count`. The conversation is encoded once and each recipient's payload is that
/// text with their count spliced in; every count comes from one query.
///
/// `member_external_ids` (optional in §7) rides only where membership is the news: in
/// `conversation:created`, and in `conversation:updated` after a change to the conversation
/// itself. After a message or a read it is left out: it would make every message in an
/// N-member room cost N payloads of N ids each.
enum ConversationEvents {
    /// `conversation:updated` `{conversation, by_user_id}` for every member, or only `recipients`.
    static func updated(conversationId: String, tenantId: String, by userId: String?, to recipients: [String]? = nil,
                        includeMembers: Bool = false, _ q: Queries) async throws -> [RealtimeMessage] {
        var tail = Array(#","by_user_id":"#.utf8)
        if let userId { JSONValue.writeString(userId, into: &tail) } else { tail += "null".utf8 }
        tail.append(UInt8(ascii: "}"))
        return try await events(RealtimeEvent.conversationUpdated, conversationId: conversationId, tenantId: tenantId,
                                recipients: recipients, includeMembers: includeMembers, q) { conversation in
            var payload = Array(#"{"conversation":"#.utf8)
            payload.reserveCapacity(payload.count + conversation.count + tail.count)
            payload += conversation
            payload += tail
            return payload
        }
    }

    /// `conversation:created` (the conversation itself) for users who just gained a membership.
    static func created(conversationId: String, tenantId: String, to recipients: [String],
                        _ q: Queries) async throws -> [RealtimeMessage] {
        try await events(RealtimeEvent.conversationCreated, conversationId: conversationId, tenantId: tenantId,
                         recipients: recipients, includeMembers: true, q) { $0 }
    }

    private static func events(_ event: String, conversationId: String, tenantId: String, recipients: [String]?,
                               includeMembers: Bool, _ q: Queries,
                               payload: ([UInt8]) -> [UInt8]) async throws -> [RealtimeMessage] {
        guard let record = try await q.conversation(id: conversationId, tenantId: tenantId) else { return [] }
        var conversation = record.conversation
        if includeMembers {
            conversation.memberExternalIds = try await q.memberExternalIds(conversationIds: [conversationId])[conversationId] ?? []
        }
        conversation.unreadCount = nil
        // An object with keys, so it ends in "}" and the count can go in front of it.
        // Bytes, not String: a String splice counts characters, which showed up in profiles.
        let open = Array(try WireCoding.encoder.encode(conversation).dropLast())
        // Members only: a recipient who is not (or no longer) a member has no count and gets nothing.
        let unread = try await q.unreadCountsByMember(conversationId: conversationId, userIds: recipients)
        return (recipients ?? unread.keys.sorted()).compactMap { userId in
            guard let count = unread[userId] else { return nil }
            var view = open
            view += #","unread_count":"#.utf8
            view += String(count).utf8
            view.append(UInt8(ascii: "}"))
            return RealtimeMessage(topic: RealtimeMessage.userTopic(userId), event: event,
                                   payloadJSON: String(decoding: payload(view), as: UTF8.self))
        }
    }
}
