import Foundation
import PoolseWire

/// Messages, threads, quotes, reactions and read cursors (PROTOCOL.md §4, §4.1).
struct MessageService: Sendable {
    let store: Store
    let limits: Limits
    let pubsub: any PubSub
    let attachments: AttachmentService
    var validate: Validation { Validation(limits: limits) }

    /// The main feed, newest first.
    func feed(conversationId: String, before: Int64?, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.feed(conversationId: conversationId, before: before, limit: limit)
        }
    }

    /// Everything after `after`, replies included, oldest first.
    func catchUp(conversationId: String, after: Int64, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.catchUp(conversationId: conversationId, after: after, limit: limit)
        }
    }

    /// A sent message, with its JSON: the response body and the `message:new` payload are the same
    /// text, encoded once.
    struct Sent: Sendable {
        let message: Message
        /// False for a resend of a client id that was already stored.
        let created: Bool
        let json: Data
    }

    /// Sends a message; a resend of the same client id returns the stored row (`created == false`).
    func send(conversationId: String, _ request: MessageCreateRequest, by caller: UserPrincipal) async throws -> Sent {
        let attachmentIds = request.attachmentIds ?? []
        if attachmentIds.count > limits.maxAttachmentsPerMessage {
            throw ServiceError.validation("attachment_ids", "has more than \(limits.maxAttachmentsPerMessage) entries")
        }
        if let body = request.body {
            try validate.optionalText(body, field: "body", maxLength: limits.maxMessageLength)
        }
        let hasBody = request.body?.unicodeScalars.contains { !$0.properties.isWhitespace } ?? false
        if !hasBody, attachmentIds.isEmpty { throw ServiceError.validation("body", "can't be blank") }
        let type = request.type ?? .text
        guard MessageType.known.contains(type) else { throw ServiceError.validation("type", "must be text, system or custom") }
        let id = try request.id.map { try validate.uuid($0, field: "id") } ?? IDs.make()
        let replyToId = try request.replyToId.map { try validate.uuid($0, field: "reply_to_id") }
        let quotedId = try request.quotedMessageId.map { try validate.uuid($0, field: "quoted_message_id") }
        let mentionList = request.mentions ?? []
        if mentionList.count > limits.maxMentions {
            throw ServiceError.validation("mentions", "has more than \(limits.maxMentions) entries")
        }
        var uniqueMentions: [String] = []
        for mention in mentionList {
            let userId = try validate.uuid(mention, field: "mentions")
            if !uniqueMentions.contains(userId) { uniqueMentions.append(userId) }
        }
        let mentions = uniqueMentions
        if !attachmentIds.isEmpty { try await attachments.confirmUploads(attachmentIds, by: caller) }

        let turn = await pubsub.lanes.turn(conversationId)
        defer { turn.end() }
        let outcome: (Message, Bool, [String])
        do {
            outcome = try await store.transaction { q in
                _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
                // Taking the sequence first locks the conversation row (PostgreSQL) before the
                // duplicate-id check, so two resends of one id can't both pass the check.
                let sequence = try await q.nextSequence(conversationId: conversationId)
                if try await q.messageExists(id: id) { throw DuplicateMessageID() }
                var threadRootId: String?
                if let replyToId {
                    guard let target = try await q.message(id: replyToId, tenantId: caller.tenantId),
                          target.conversationId == conversationId
                    else { throw ServiceError.validation("reply_to_id", "is not a message of this conversation") }
                    threadRootId = target.threadRootId ?? target.id
                }
                if let quotedId {
                    guard let quoted = try await q.message(id: quotedId, tenantId: caller.tenantId),
                          quoted.conversationId == conversationId
                    else { throw ServiceError.validation("quoted_message_id", "is not a message of this conversation") }
                }
                // Whole microseconds, as the store keeps them, so the message built here is the stored one.
                let now = WireTime.date(micros: WallClock.nowMicros())
                var message = Message(
                    id: id, tenantId: caller.tenantId, conversationId: conversationId, senderId: caller.userId,
                    senderExternalId: caller.user.externalId, type: type, body: request.body, replyToId: replyToId,
                    threadRootId: threadRootId, quotedMessageId: quotedId, mentions: mentions, sequence: sequence,
                    insertedAt: now, updatedAt: now)
                try await q.insertMessage(message)
                message.attachments = try await attachments.link(attachmentIds, to: message, q)
                let micros = WireTime.micros(now)
                if let threadRootId { try await q.incrementReplyCount(rootId: threadRootId, at: micros) }
                try await q.recordLastMessage(conversationId: conversationId, at: micros, preview: Self.preview(of: message))
                _ = try await q.advanceReadCursor(conversationId: conversationId, userId: caller.userId, messageId: id,
                                                  sequence: sequence, at: micros)
                // Only mentions need the member list; loading it on every send costs a 1,000-member room dearly.
                var notified: [String] = []
                for userId in mentions where userId != caller.userId {
                    if try await q.membership(conversationId: conversationId, userId: userId) != nil { notified.append(userId) }
                }
                // A plain message is exactly what was inserted; a quote or attachments are read back
                // (the quote's preview and the attachments' stored fields come from other rows).
                if quotedId == nil, attachmentIds.isEmpty {
                    message.replyCount = 0
                    message.attachments = []
                    return (message, true, notified)
                }
                guard let stored = try await q.message(id: id, tenantId: caller.tenantId) else { throw ServiceError.internalError }
                return (stored, true, notified)
            }
        } catch is DuplicateMessageID {
            // The transaction rolled back, so the sequence it took is not spent.
            guard let existing = try await store.read({ try await $0.message(id: id, tenantId: caller.tenantId) }),
                  existing.senderId == caller.userId, existing.conversationId == conversationId
            else { throw ServiceError.conflict("a different message already has this id") }
            return Sent(message: existing, created: false, json: try WireCoding.encoder.encode(existing))
        }
        let (message, created, mentioned) = outcome
        let json = try WireCoding.encoder.encode(message)
        if created {
            var events = [RealtimeMessage(topic: RealtimeMessage.conversationTopic(conversationId),
                                          event: RealtimeEvent.messageNew, payloadJSON: String(decoding: json, as: UTF8.self))]
            for userId in mentioned {
                let mention = MentionEvent(messageId: message.id, conversationId: conversationId, senderId: caller.userId)
                events.append(try RealtimeMessage(topic: RealtimeMessage.userTopic(userId), event: RealtimeEvent.mentionNew,
                                                  encoding: mention))
            }
            events += await conversationUpdated(conversationId, by: caller)
            await pubsub.publish(events)
        }
        return Sent(message: message, created: created, json: json)
    }

    /// Moves the caller's read cursor forward to `messageId`.
    func markRead(conversationId: String, messageId: String, by caller: UserPrincipal) async throws {
        let turn = await pubsub.lanes.turn(conversationId)
        defer { turn.end() }
        let event: MemberReadEvent? = try await store.transaction { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            guard let message = try await q.message(id: messageId, tenantId: caller.tenantId),
                  message.conversationId == conversationId
            else { throw ServiceError.notFound("message") }
            let now = Date()
            guard try await q.advanceReadCursor(conversationId: conversationId, userId: caller.userId,
                                                messageId: messageId, sequence: message.sequence,
                                                at: WireTime.micros(now))
            else { return nil }
            return MemberReadEvent(userId: caller.userId, conversationId: conversationId,
                                   lastReadMessageId: messageId, lastReadAt: now)
        }
        if let event {
            await pubsub.publish([try RealtimeMessage(topic: RealtimeMessage.conversationTopic(conversationId),
                                                  event: RealtimeEvent.memberRead, encoding: event)]
                                 + conversationUpdated(conversationId, by: caller, onlyToCaller: true))
        }
    }

    /// Edits the body (sender only).
    func edit(messageId: String, body: String?, by caller: UserPrincipal) async throws -> Message {
        let body = try validate.requiredText(body, field: "body", maxLength: limits.maxMessageLength)
        let turn = await pubsub.lanes.turn(await lane(ofMessage: messageId, caller: caller))
        defer { turn.end() }
        let message: Message = try await store.transaction { q in
            let (message, _) = try await visibleMessage(id: messageId, caller: caller, q)
            guard message.senderId == caller.userId else { throw ServiceError.forbidden("only the sender can edit a message") }
            guard message.deletedAt == nil else { throw ServiceError.messageDeleted }
            try await q.editMessage(id: messageId, body: body, at: WallClock.nowMicros())
            guard var edited = try await q.message(id: messageId, tenantId: caller.tenantId) else { throw ServiceError.internalError }
            try await refreshPreviewIfLatest(edited, q)
            edited.attachments = edited.attachments ?? []
            return edited
        }
        await pubsub.publish([try RealtimeMessage(topic: RealtimeMessage.conversationTopic(message.conversationId),
                                              event: RealtimeEvent.messageUpdated, encoding: message)])
        return message
    }

    /// Soft-deletes (sender, or owner/admin of the conversation). Deleting a tombstone is a no-op.
    func delete(messageId: String, by caller: UserPrincipal) async throws {
        let turn = await pubsub.lanes.turn(await lane(ofMessage: messageId, caller: caller))
        defer { turn.end() }
        let event: MessageDeletedEvent? = try await store.transaction { q in
            let (message, role) = try await visibleMessage(id: messageId, caller: caller, q)
            guard message.senderId == caller.userId || role.canManage else {
                throw ServiceError.forbidden("only the sender or an owner or admin can delete a message")
            }
            guard message.deletedAt == nil else { return nil }
            let now = Date()
            try await q.tombstone(id: messageId, at: WireTime.micros(now))
            if let tombstone = try await q.message(id: messageId, tenantId: caller.tenantId) {
                try await refreshPreviewIfLatest(tombstone, q)
            }
            return MessageDeletedEvent(id: messageId, conversationId: message.conversationId, deletedAt: now)
        }
        if let event {
            await pubsub.publish([try RealtimeMessage(topic: RealtimeMessage.conversationTopic(event.conversationId),
                                                  event: RealtimeEvent.messageDeleted, encoding: event)]
                                 + conversationUpdated(event.conversationId, by: caller))
        }
    }

    /// A thread's replies, oldest first. For a reply, its thread is used.
    func replies(messageId: String, after: Int64?, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            let (message, _) = try await visibleMessage(id: messageId, caller: caller, q)
            return try await q.replies(rootId: message.threadRootId ?? message.id, after: after, limit: limit)
        }
    }

    /// Adds (`adding == true`) or removes the caller's reaction; idempotent either way.
    func react(messageId: String, emoji: String, adding: Bool, by caller: UserPrincipal) async throws -> Message {
        let emoji = try validate.requiredText(emoji, field: "emoji", maxLength: limits.maxEmojiBytes)
        if emoji.utf8.count > limits.maxEmojiBytes {
            throw ServiceError.validation("emoji", "is longer than \(limits.maxEmojiBytes) bytes")
        }
        let turn = await pubsub.lanes.turn(await lane(ofMessage: messageId, caller: caller))
        defer { turn.end() }
        let (message, changed): (Message, Bool) = try await store.transaction { q in
            let (message, _) = try await visibleMessage(id: messageId, caller: caller, q)
            guard message.deletedAt == nil else { throw ServiceError.messageDeleted }
            let changed: Bool
            let now = WallClock.nowMicros()
            if adding {
                if message.reactions[emoji] == nil,
                   try await q.distinctEmojiCount(messageId: messageId) >= limits.maxDistinctEmojis {
                    throw ServiceError.validation("emoji", "a message can carry at most \(limits.maxDistinctEmojis) different emoji")
                }
                changed = try await q.addReaction(messageId: messageId, emoji: emoji, userId: caller.userId, at: now)
            } else {
                changed = try await q.removeReaction(messageId: messageId, emoji: emoji, userId: caller.userId)
            }
            if changed { try await q.touchMessage(id: messageId, at: now) }
            guard let updated = try await q.message(id: messageId, tenantId: caller.tenantId) else { throw ServiceError.internalError }
            return (updated, changed)
        }
        if changed {
            let event = ReactionEvent(messageId: messageId, conversationId: message.conversationId, emoji: emoji,
                                      userId: caller.userId)
            await pubsub.publish([try RealtimeMessage(
                topic: RealtimeMessage.conversationTopic(message.conversationId),
                event: adding ? RealtimeEvent.reactionAdded : RealtimeEvent.reactionRemoved,
                encoding: event)])
        }
        return message
    }

    // MARK: - Helpers

    /// The publish lane of a message's conversation (see `PublishLanes`). An unknown id gets a
    /// lane of its own: the transaction then answers 404.
    private func lane(ofMessage id: String, caller: UserPrincipal) async -> String {
        (try? await store.read { try await $0.conversationId(ofMessage: id, tenantId: caller.tenantId) }) ?? id
    }

    /// `conversation:updated` after a commit, each member (or only the caller) with their own
    /// unread count. Read after the commit, on a reader, so the single writer is not held for
    /// it; the caller's publish turn keeps later writes of the conversation out until it is sent.
    /// A failed read costs the events, never the committed write.
    private func conversationUpdated(_ conversationId: String, by caller: UserPrincipal,
                                     onlyToCaller: Bool = false) async -> [RealtimeMessage] {
        (try? await store.read { q in
            try await ConversationEvents.updated(conversationId: conversationId, tenantId: caller.tenantId,
                                                 by: caller.userId, to: onlyToCaller ? [caller.userId] : nil, q)
        }) ?? []
    }

    /// The message and the caller's role in its conversation; 404 unless the caller is a member.
    private func visibleMessage(id: String, caller: UserPrincipal, _ q: Queries) async throws -> (Message, MemberRole) {
        guard let message = try await q.message(id: id, tenantId: caller.tenantId),
              let membership = try await q.membership(conversationId: message.conversationId, userId: caller.userId)
        else { throw ServiceError.notFound("message") }
        return (message, membership.role)
    }

    /// Keeps `last_message_preview` true when the latest message is edited or deleted.
    private func refreshPreviewIfLatest(_ message: Message, _ q: Queries) async throws {
        guard message.threadRootId == nil,
              let record = try await q.conversation(id: message.conversationId, tenantId: message.tenantId),
              record.conversation.lastSequence == message.sequence
        else { return }
        try await q.setPreview(conversationId: message.conversationId, preview: Self.preview(of: message))
    }

    /// First 80 characters of the body, or a label for attachment-only and deleted messages.
    static func preview(of message: Message) -> String? {
        if message.deletedAt != nil { return "Message deleted" }
        if let body = message.body, !body.isEmpty { return String(body.prefix(80)) }
        let count = message.attachments?.count ?? 0
        return count == 1 ? "📎 Attachment" : "📎 \(count) attachments"
    }
}

/// Thrown inside the send transaction to roll it back when the client id already exists.
private struct DuplicateMessageID: Error {}
