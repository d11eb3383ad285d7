import Foundation
import PoolseWire

/// The user-topic events about one conversation, `conversation:created` and
/// `conversation:updated` (PROTOCOL.md §6): each recipient gets the same conversation with their
/// own `unread_count`.
///
/// They are published once for all recipients, as a `MemberFanout` on the pseudo-topic
/// `members:<conversation id>` carrying every recipient's count, and each gateway expands it
/// only for the users it has sockets on `user:<id>` for. A message in a 1,000-member room is
/// then one event through the pub/sub, not 1,001, and members who are offline cost nothing
/// past the count query.
///
/// `member_external_ids` (optional in §7) rides only where membership is the news: in
/// `conversation:created`, and in `conversation:updated` after a change to the conversation
/// itself. After a message or a read it is left out: it would make every message in an
/// N-member room cost N payloads of N ids each.
enum ConversationEvents {
    /// `conversation:updated` `{conversation, by_user_id}` for every member, or only `recipients`.
    static func updated(conversationId: String, tenantId: String, by userId: String?, to recipients: [String]? = nil,
                        includeMembers: Bool = false, _ q: Queries) async throws -> [RealtimeMessage] {
        try await fanout(RealtimeEvent.conversationUpdated, conversationId: conversationId, tenantId: tenantId,
                         recipients: recipients, includeMembers: includeMembers, byUserId: .some(userId), q)
    }

    /// `conversation:created` (the conversation itself) for users who just gained a membership.
    static func created(conversationId: String, tenantId: String, to recipients: [String],
                        _ q: Queries) async throws -> [RealtimeMessage] {
        try await fanout(RealtimeEvent.conversationCreated, conversationId: conversationId, tenantId: tenantId,
                         recipients: recipients, includeMembers: true, byUserId: nil, q)
    }

    /// `byUserId`: `.some` wraps the conversation as `{conversation, by_user_id}`; nil sends it bare.
    private static func fanout(_ event: String, conversationId: String, tenantId: String, recipients: [String]?,
                               includeMembers: Bool, byUserId: String??, _ q: Queries) async throws -> [RealtimeMessage] {
        guard let record = try await q.conversation(id: conversationId, tenantId: tenantId) else { return [] }
        var conversation = record.conversation
        if includeMembers {
            conversation.memberExternalIds = try await q.memberExternalIds(conversationIds: [conversationId])[conversationId] ?? []
        }
        conversation.unreadCount = nil
        // Members only: a recipient who is not (or no longer) a member has no count and gets nothing.
        let unread = try await q.unreadCountsByMember(conversationId: conversationId, userIds: recipients)
        guard !unread.isEmpty else { return [] }
        let fanout = MemberFanout(conversation: try JSONValue.from(conversation), wrapped: byUserId != nil,
                                  byUserId: byUserId ?? nil, unreadCounts: unread)
        return [try RealtimeMessage(topic: MemberFanout.topic(conversationId), event: event, encoding: fanout)]
    }
}

/// One user-topic event for many members, each with their own unread count (see
/// `ConversationEvents`). Travels through the pub/sub as JSON like any payload.
struct MemberFanout: Codable, Sendable, Equatable {
    /// The conversation, without `unread_count`.
    let conversation: JSONValue
    /// Whether each payload is `{conversation, by_user_id}` (`conversation:updated`) or the bare
    /// conversation (`conversation:created`).
    let wrapped: Bool
    let byUserId: String?
    /// Recipient user id → their unread count.
    let unreadCounts: [String: Int]

    enum CodingKeys: String, CodingKey {
        case conversation, wrapped, byUserId = "by_user_id", unreadCounts = "unread_counts"
    }

    static let topicPrefix = "members:"

    /// Reads a fan-out back from its payload text with the fast JSON reader (a `Codable` decode
    /// of a thousand counts and a `JSONValue` costs far more).
    static func read(_ payloadJSON: String) -> MemberFanout? {
        guard let fields = (try? JSONValue.parse(payloadJSON))?.objectValue,
              let conversation = fields["conversation"], case .bool(let wrapped)? = fields["wrapped"],
              let counts = fields["unread_counts"]?.objectValue
        else { return nil }
        var unread: [String: Int] = [:]
        unread.reserveCapacity(counts.count)
        for (userId, count) in counts {
            guard case .number(let value) = count, let exact = Int(exactly: value) else { return nil }
            unread[userId] = exact
        }
        return MemberFanout(conversation: conversation, wrapped: wrapped, byUserId: fields["by_user_id"]?.stringValue,
                            unreadCounts: unread)
    }

    static func topic(_ conversationId: String) -> String { topicPrefix + conversationId }

    /// The `user:<id>` messages for the recipients `wanted` picks (those with sockets here), each
    /// payload spliced from one encoding of the conversation.
    func messages(event: String, for wanted: (String) -> Bool) -> [RealtimeMessage] {
        let recipients = unreadCounts.filter { wanted($0.key) }
        guard !recipients.isEmpty else { return [] }
        var open: [UInt8] = []
        conversation.write(into: &open)
        guard open.last == UInt8(ascii: "}") else { return [] }
        open.removeLast()
        let hasFields = open.count > 1
        var tail: [UInt8] = []
        if wrapped {
            tail += #","by_user_id":"#.utf8
            if let byUserId { JSONValue.writeString(byUserId, into: &tail) } else { tail += "null".utf8 }
            tail.append(UInt8(ascii: "}"))
        }
        return recipients.keys.sorted().map { userId in
            var payload: [UInt8] = wrapped ? Array(#"{"conversation":"#.utf8) : []
            payload += open
            payload += (hasFields ? #","unread_count":"# : #""unread_count":"#).utf8
            payload += String(recipients[userId] ?? 0).utf8
            payload.append(UInt8(ascii: "}"))
            payload += tail
            return RealtimeMessage(topic: RealtimeMessage.userTopic(userId), event: event,
                                   payloadJSON: String(decoding: payload, as: UTF8.self))
        }
    }
}
