import Foundation
import PoolseWire

/// Messages, threads, quotes, reactions and read cursors (PROTOCOL.md §4, §4.1).
struct MessageService: Sendable {
    let store: Store
    let limits: Limits
    let committer: ChangeCommitter
    let attachments: AttachmentService
    /// The tenant's before-send hook, asked before each new message is stored.
    var beforeSend = BeforeSendHook.disabled
    var validate: Validation { Validation(limits: limits) }

    /// The main feed, newest first.
    func feed(conversationId: String, before: Int64?, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.feed(conversationId: conversationId, before: before, limit: limit, viewer: caller.userId)
        }
    }

    /// Everything after `after`, replies included, oldest first.
    func catchUp(conversationId: String, after: Int64, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.catchUp(conversationId: conversationId, after: after, limit: limit, viewer: caller.userId)
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
            throw DomainError.validation("attachment_ids", "has more than \(limits.maxAttachmentsPerMessage) entries")
        }
        if let body = request.body {
            try validate.optionalText(body, field: "body", maxLength: limits.maxMessageLength)
        }
        let hasBody = request.body?.unicodeScalars.contains { !$0.properties.isWhitespace } ?? false
        if !hasBody, attachmentIds.isEmpty { throw DomainError.validation("body", "can't be blank") }
        let type = request.type ?? .text
        guard MessageType.known.contains(type) else { throw DomainError.validation("type", "must be text, system or custom") }
        let id = try request.id.map { try validate.uuid($0, field: "id") } ?? IDs.make()
        let replyToId = try request.replyToId.map { try validate.uuid($0, field: "reply_to_id") }
        let quotedId = try request.quotedMessageId.map { try validate.uuid($0, field: "quoted_message_id") }
        let mentionList = request.mentions ?? []
        if mentionList.count > limits.maxMentions {
            throw DomainError.validation("mentions", "has more than \(limits.maxMentions) entries")
        }
        var uniqueMentions: [String] = []
        for mention in mentionList {
            let userId = try validate.uuid(mention, field: "mentions")
            if !uniqueMentions.contains(userId) { uniqueMentions.append(userId) }
        }
        let mentions = uniqueMentions
        if !attachmentIds.isEmpty { try await attachments.confirmUploads(attachmentIds, by: caller) }
        let body = try await beforeSend.screen(request, id: id, mentions: mentions, conversationId: conversationId, by: caller)

        do {
            return try await committer.commit(lane: conversationId) { q in
                let (record, membership) = try await ConversationService.visibleMembership(id: conversationId,
                                                                                           caller: caller, q)
                try ConversationService.requireWritable(record.conversation, role: membership.role)
                try await ConversationService.requireNotBlocked(in: record, sender: caller.userId, q)
                // Taking the sequence first locks the conversation row (PostgreSQL) before the
                // duplicate-id check, so two resends of one id can't both pass the check.
                guard let sequence = try await q.nextSequence(conversationId: conversationId) else {
                    throw DomainError.notFound("conversation")
                }
                if try await q.messageExists(id: id) { throw DuplicateMessageID() }
                var threadRootId: String?
                if let replyToId {
                    guard let target = try await q.message(id: replyToId, tenantId: caller.tenantId),
                          target.conversationId == conversationId
                    else { throw DomainError.validation("reply_to_id", "is not a message of this conversation") }
                    threadRootId = target.threadRootId ?? target.id
                }
                if let quotedId {
                    guard let quoted = try await q.message(id: quotedId, tenantId: caller.tenantId),
                          quoted.conversationId == conversationId
                    else { throw DomainError.validation("quoted_message_id", "is not a message of this conversation") }
                }
                // Mentions name members of the conversation: anyone else (another tenant's user, a
                // former member, an unknown id) is refused rather than stored. Only mentions need
                // the member list; loading it on every send costs a 1,000-member room dearly.
                // Members who muted the conversation or block the sender are not notified.
                var notified: [String] = []
                let nowMicros = WallClock.nowMicros()
                for userId in mentions {
                    guard let mentioned = try await q.membership(conversationId: conversationId, userId: userId) else {
                        throw DomainError.validation("mentions", "\(userId) is not a member of this conversation")
                    }
                    let muted = mentioned.mutedUntil.map { WireTime.micros($0) > nowMicros } ?? false
                    if userId != caller.userId, !muted, try await !q.blocks(userId, caller.userId) { notified.append(userId) }
                }
                // Whole microseconds, as the store keeps them, so the message built here is the stored one.
                let now = WireTime.date(micros: WallClock.nowMicros())
                var message = Message(
                    id: id, tenantId: caller.tenantId, conversationId: conversationId, senderId: caller.userId,
                    senderExternalId: caller.user.externalId, type: type, body: body, replyToId: replyToId,
                    threadRootId: threadRootId, quotedMessageId: quotedId, mentions: mentions, sequence: sequence,
                    insertedAt: now, updatedAt: now)
                try await q.insertMessage(message)
                message.attachments = try await attachments.link(attachmentIds, to: message, q)
                let micros = WireTime.micros(now)
                if let threadRootId { try await q.incrementReplyCount(rootId: threadRootId, at: micros) }
                try await q.recordLastMessage(conversationId: conversationId, at: micros, preview: Self.preview(of: message))
                _ = try await q.advanceReadCursor(conversationId: conversationId, userId: caller.userId, messageId: id,
                                                  sequence: sequence, at: micros)
                // A plain message is exactly what was inserted; a quote or attachments are read back
                // (the quote's preview and the attachments' stored fields come from other rows).
                if quotedId == nil, attachmentIds.isEmpty {
                    message.replyCount = 0
                    message.attachments = []
                } else {
                    guard let stored = try await q.message(id: id, tenantId: caller.tenantId) else {
                        throw DomainError.internalError
                    }
                    message = stored
                }
                let json = try WireCoding.encoder.encode(message)
                var created = RealtimeMessage(topic: RealtimeMessage.conversationTopic(conversationId),
                                              event: RealtimeEvent.messageNew, payloadJSON: String(decoding: json, as: UTF8.self))
                // Members who block the sender never see the message (nor learn they were left out).
                created.hiddenFrom = try await q.membersBlocking(caller.userId, conversationId: conversationId)
                var events: [DomainEvent] = [.realtime(created)]
                for userId in notified {
                    let mention = MentionEvent(messageId: message.id, conversationId: conversationId, senderId: caller.userId)
                    events.append(try .realtime(topic: RealtimeMessage.userTopic(userId), event: RealtimeEvent.mentionNew,
                                                encoding: mention))
                }
                events.append(.conversationUpdated(conversationId: conversationId, tenantId: caller.tenantId,
                                                   byUserId: caller.userId, recipients: nil, includeMembers: false))
                let push = MessagePush(tenantId: caller.tenantId, conversationId: conversationId, messageId: message.id,
                                       sequence: sequence, senderId: caller.userId, mentions: mentions,
                                       preview: Self.preview(of: message) ?? "")
                return Change(Sent(message: message, created: true, json: json), events: events, jobs: [
                    try .webhook(WebhookEvent.messageCreated, tenantId: caller.tenantId, conversationId: conversationId, message),
                    .messagePush(push),
                ])
            }
        } catch is DuplicateMessageID {
            // The transaction rolled back, so the sequence it took is not spent.
            guard let existing = try await store.read({ try await $0.message(id: id, tenantId: caller.tenantId) }),
                  existing.senderId == caller.userId, existing.conversationId == conversationId
            else { throw DomainError.conflict("a different message already has this id") }
            return Sent(message: existing, created: false, json: try WireCoding.encoder.encode(existing))
        }
    }

    /// Moves the caller's read cursor forward to `messageId`.
    func markRead(conversationId: String, messageId: String, by caller: UserPrincipal) async throws {
        try await committer.commit(lane: conversationId) { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            guard let message = try await q.message(id: messageId, tenantId: caller.tenantId),
                  message.conversationId == conversationId
            else { throw DomainError.notFound("message") }
            let now = Date()
            guard try await q.advanceReadCursor(conversationId: conversationId, userId: caller.userId,
                                                messageId: messageId, sequence: message.sequence,
                                                at: WireTime.micros(now))
            else { return Change(events: []) }
            let event = MemberReadEvent(userId: caller.userId, conversationId: conversationId,
                                        lastReadMessageId: messageId, lastReadAt: now)
            return Change(events: [
                try .conversation(conversationId, RealtimeEvent.memberRead, event),
                .conversationUpdated(conversationId: conversationId, tenantId: caller.tenantId, byUserId: caller.userId,
                                     recipients: [caller.userId], includeMembers: false),
            ])
        }
    }

    /// Edits the body (sender only).
    func edit(messageId: String, body: String?, by caller: UserPrincipal) async throws -> Message {
        let body = try validate.requiredText(body, field: "body", maxLength: limits.maxMessageLength)
        return try await committer.commit(lane: await lane(ofMessage: messageId, caller: caller)) { q in
            let (message, role) = try await visibleMessage(id: messageId, caller: caller, q)
            guard message.senderId == caller.userId else { throw DomainError.forbidden("only the sender can edit a message") }
            guard message.deletedAt == nil else { throw DomainError.messageDeleted }
            try await requireWritable(message.conversationId, role: role, caller: caller, q)
            try await q.editMessage(id: messageId, body: body, at: WallClock.nowMicros())
            guard var edited = try await q.message(id: messageId, tenantId: caller.tenantId) else { throw DomainError.internalError }
            try await refreshPreviewIfLatest(edited, q)
            edited.attachments = edited.attachments ?? []
            var updated = try RealtimeMessage(topic: RealtimeMessage.conversationTopic(edited.conversationId),
                                              event: RealtimeEvent.messageUpdated, encoding: edited)
            updated.hiddenFrom = try await q.membersBlocking(caller.userId, conversationId: edited.conversationId)
            return Change(edited, events: [.realtime(updated)], jobs: [
                try .webhook(WebhookEvent.messageUpdated, tenantId: caller.tenantId, conversationId: edited.conversationId, edited),
            ])
        }
    }

    /// Soft-deletes (sender, or owner/admin of the conversation). Deleting a tombstone is a no-op.
    func delete(messageId: String, by caller: UserPrincipal) async throws {
        try await delete(messageId: messageId, by: .user(caller))
    }

    /// Soft-deletes as a moderator may: the sender or an owner/admin of the conversation, or
    /// the tenant's API key (any message of the tenant).
    func delete(messageId: String, by principal: Principal) async throws {
        let tenantId = principal.tenantId
        let lane = (try? await store.read { try await $0.conversationId(ofMessage: messageId, tenantId: tenantId) }) ?? messageId
        try await committer.commit(lane: lane) { q in
            let message: Message
            var byUserId: String?
            switch principal {
            case .user(let caller):
                let (visible, role) = try await visibleMessage(id: messageId, caller: caller, q)
                guard visible.senderId == caller.userId || role.canManage else {
                    throw DomainError.forbidden("only the sender or an owner or admin can delete a message")
                }
                message = visible
                byUserId = caller.userId
            case .tenant:
                guard let found = try await q.message(id: messageId, tenantId: tenantId) else {
                    throw DomainError.notFound("message")
                }
                message = found
            }
            guard message.deletedAt == nil else { return Change(events: []) }
            let now = Date()
            try await q.tombstone(id: messageId, at: WireTime.micros(now))
            if let tombstone = try await q.message(id: messageId, tenantId: tenantId) {
                try await refreshPreviewIfLatest(tombstone, q)
            }
            let event = MessageDeletedEvent(id: messageId, conversationId: message.conversationId, deletedAt: now)
            var events: [DomainEvent] = [try .conversation(message.conversationId, RealtimeEvent.messageDeleted, event)]
            // The tombstone lost its pin; pin lists hear of it like any unpin.
            if message.pinnedAt != nil { events.append(try PinService.unpinnedEvent(message, by: byUserId)) }
            events.append(.conversationUpdated(conversationId: message.conversationId, tenantId: tenantId,
                                               byUserId: byUserId, recipients: nil, includeMembers: false))
            return Change(events: events, jobs: [
                try .webhook(WebhookEvent.messageDeleted, tenantId: tenantId, conversationId: message.conversationId, event),
            ])
        }
    }

    /// How many messages a bulk deletion takes per round.
    static let bulkDeletionBatch = 100

    /// Starts deleting every live message of a user (API key): answers at once with how many
    /// there are, and queues a `bulk_deletion` job in the same transaction, so a crash or a
    /// restart resumes it rather than losing it. The job deletes batch by batch (`deleteBatch`),
    /// each deletion committed and published like a single one (`message:deleted` to every member).
    func deleteAllMessages(ofUser userId: String, tenantId: String) async throws -> BulkDeletionAccepted {
        try await committer.commit(lane: nil) { q in
            guard try await q.user(id: userId, tenantId: tenantId) != nil else { throw DomainError.notFound("user") }
            let count = try await q.liveMessageCount(senderId: userId, tenantId: tenantId)
            return Change(BulkDeletionAccepted(userId: userId, messageCount: count),
                          jobs: count > 0 ? [.bulkDeletion(tenantId: tenantId, userId: userId)] : [])
        }
    }

    /// One round of a bulk deletion: deletes up to `bulkDeletionBatch` live messages of the
    /// user; true while more remain.
    func deleteBatch(_ job: BulkDeletionJob) async throws -> Bool {
        let operator_ = Principal.tenant(tenantId: job.tenantId, keyId: "bulk-deletion")
        let batch = try await store.read {
            try await $0.liveMessageIds(senderId: job.userId, tenantId: job.tenantId, limit: Self.bulkDeletionBatch)
        }
        guard !batch.isEmpty else { return false }
        var deleted = 0
        for (id, _) in batch where (try? await delete(messageId: id, by: operator_)) != nil { deleted += 1 }
        // A round that deleted nothing would find the same batch again: stop instead.
        return deleted > 0 && batch.count == Self.bulkDeletionBatch
    }

    /// A thread's replies, oldest first. For a reply, its thread is used.
    func replies(messageId: String, after: Int64?, limit: Int, for caller: UserPrincipal) async throws -> [Message] {
        try await store.read { q in
            let (message, _) = try await visibleMessage(id: messageId, caller: caller, q)
            return try await q.replies(rootId: message.threadRootId ?? message.id, after: after, limit: limit,
                                       viewer: caller.userId)
        }
    }

    /// Adds (`adding == true`) or removes the caller's reaction; idempotent either way.
    func react(messageId: String, emoji: String, adding: Bool, by caller: UserPrincipal) async throws -> Message {
        let emoji = try validate.requiredText(emoji, field: "emoji", maxLength: limits.maxEmojiBytes)
        if emoji.utf8.count > limits.maxEmojiBytes {
            throw DomainError.validation("emoji", "is longer than \(limits.maxEmojiBytes) bytes")
        }
        return try await committer.commit(lane: await lane(ofMessage: messageId, caller: caller)) { q in
            let (message, role) = try await visibleMessage(id: messageId, caller: caller, q)
            guard message.deletedAt == nil else { throw DomainError.messageDeleted }
            try await requireWritable(message.conversationId, role: role, caller: caller, q)
            let changed: Bool
            let now = WallClock.nowMicros()
            if adding {
                if message.reactions[emoji] == nil,
                   try await q.distinctEmojiCount(messageId: messageId) >= limits.maxDistinctEmojis {
                    throw DomainError.validation("emoji", "a message can carry at most \(limits.maxDistinctEmojis) different emoji")
                }
                changed = try await q.addReaction(messageId: messageId, emoji: emoji, userId: caller.userId, at: now)
            } else {
                changed = try await q.removeReaction(messageId: messageId, emoji: emoji, userId: caller.userId)
            }
            if changed { try await q.touchMessage(id: messageId, at: now) }
            guard let updated = try await q.message(id: messageId, tenantId: caller.tenantId) else { throw DomainError.internalError }
            guard changed else { return Change(updated) }
            let event = ReactionEvent(messageId: messageId, conversationId: message.conversationId, emoji: emoji,
                                      userId: caller.userId)
            return Change(updated, events: [try .conversation(
                message.conversationId, adding ? RealtimeEvent.reactionAdded : RealtimeEvent.reactionRemoved, event)], jobs: [
                try .webhook(adding ? WebhookEvent.reactionAdded : WebhookEvent.reactionRemoved, tenantId: caller.tenantId,
                             conversationId: message.conversationId, event),
            ])
        }
    }

    // MARK: - Helpers

    /// The publish lane of a message's conversation (see `PublishLanes`). An unknown id gets a
    /// lane of its own: the transaction then answers 404.
    private func lane(ofMessage id: String, caller: UserPrincipal) async -> String {
        (try? await store.read { try await $0.conversationId(ofMessage: id, tenantId: caller.tenantId) }) ?? id
    }

    /// Refuses a write in a frozen conversation unless the caller manages it.
    private func requireWritable(_ conversationId: String, role: MemberRole, caller: UserPrincipal,
                                 _ q: Queries) async throws {
        guard let record = try await q.conversation(id: conversationId, tenantId: caller.tenantId) else { return }
        try ConversationService.requireWritable(record.conversation, role: role)
    }

    /// The message and the caller's role in its conversation; 404 unless the caller is a member.
    private func visibleMessage(id: String, caller: UserPrincipal, _ q: Queries) async throws -> (Message, MemberRole) {
        guard let message = try await q.message(id: id, tenantId: caller.tenantId),
              let membership = try await q.membership(conversationId: message.conversationId, userId: caller.userId)
        else { throw DomainError.notFound("message") }
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
