import Foundation
import PoolseWire

/// Pinned messages: who may pin, the per-conversation limit, and the realtime events.
///
/// Owners and admins may pin and unpin; when the conversation's `settings` has
/// `"pin_policy": "members"`, every member may. Pinning a pinned message, or unpinning one
/// that is not pinned, changes nothing and sends no event. A deleted message cannot be pinned
/// (409 `message_deleted`) and loses its pin when it is deleted (`MessageService.delete`).
struct PinService: Sendable {
    let store: Store
    let limits: Limits
    let committer: ChangeCommitter

    /// The settings key and the value that lets every member pin.
    static let policyKey = "pin_policy"
    static let membersPolicy = "members"

    /// Pins (`pinning == true`) or unpins the message; returns it as it now is.
    func setPinned(messageId: String, pinning: Bool, by caller: UserPrincipal) async throws -> Message {
        let lane = (try? await store.read { try await $0.conversationId(ofMessage: messageId, tenantId: caller.tenantId) })
            ?? messageId
        return try await committer.commit(lane: lane) { q in
            guard let message = try await q.message(id: messageId, tenantId: caller.tenantId),
                  let membership = try await q.membership(conversationId: message.conversationId, userId: caller.userId),
                  let record = try await q.conversation(id: message.conversationId, tenantId: caller.tenantId)
            else { throw DomainError.notFound("message") }
            guard membership.role.canManage || Self.membersMayPin(record.conversation) else {
                throw DomainError.forbidden("only the owner or an admin can pin messages in this conversation")
            }
            if pinning {
                guard message.deletedAt == nil else { throw DomainError.messageDeleted }
                guard message.pinnedAt == nil else { return Change(message) }
                if try await q.pinCount(conversationId: message.conversationId) >= limits.maxPinsPerConversation {
                    throw DomainError.pinLimitReached(limits.maxPinsPerConversation)
                }
                let now = WallClock.nowMicros()
                try await q.setPin(messageId: messageId, by: caller.userId, at: now)
                var pinned = message
                pinned.pinnedAt = WireTime.date(micros: now)
                pinned.pinnedBy = caller.userId
                let event = MessagePinEvent(messageId: messageId, conversationId: message.conversationId,
                                            pinnedBy: caller.userId, pinnedAt: pinned.pinnedAt)
                return Change(pinned, events: [try .conversation(message.conversationId, RealtimeEvent.messagePinned, event)])
            }
            guard message.pinnedAt != nil else { return Change(message) }
            try await q.setPin(messageId: messageId, by: nil, at: nil)
            var unpinned = message
            unpinned.pinnedAt = nil
            unpinned.pinnedBy = nil
            return Change(unpinned, events: [try Self.unpinnedEvent(message, by: caller.userId)])
        }
    }

    /// The conversation's pinned messages, newest pin first (at most the pin limit, so one page).
    func list(conversationId: String, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.pinnedMessages(conversationId: conversationId, limit: limits.maxPinsPerConversation)
        }
    }

    /// `message:unpinned` for a message that was pinned.
    static func unpinnedEvent(_ message: Message, by userId: String?) throws -> DomainEvent {
        let event = MessagePinEvent(messageId: message.id, conversationId: message.conversationId,
                                    pinnedBy: message.pinnedBy, pinnedAt: message.pinnedAt, unpinnedBy: userId)
        return try .conversation(message.conversationId, RealtimeEvent.messageUnpinned, event)
    }

    static func membersMayPin(_ conversation: Conversation) -> Bool {
        conversation.settings?[policyKey]?.stringValue == membersPolicy
    }
}
