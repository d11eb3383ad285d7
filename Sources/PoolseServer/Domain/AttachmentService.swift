import Foundation
import Logging
import PoolseWire

/// Attachments (PROTOCOL.md §5): upload requests, signed download URLs, deletion, the
/// linking `MessageService.send` does in its transaction, and the cleanup of deleted and
/// never-sent uploads.
struct AttachmentService: Sendable {
    let store: Store
    let blobs: any BlobStore
    let limits: Limits
    let settings: AttachmentConfiguration
    let committer: ChangeCommitter
    let logger: Logger
    /// Base URL for the URLs the local store hands out (the public URL, else the bound address).
    let baseURL: @Sendable () -> String
    var validate: Validation { Validation(limits: limits) }

    /// Creates a pending attachment and the signed URL to PUT its bytes to.
    func requestUpload(_ request: AttachmentUploadRequest, by caller: UserPrincipal) async throws -> AttachmentUploadResponse {
        let contentType = try Self.checkedContentType(request.contentType, maxLength: limits.maxAttachmentFieldLength)
        if request.byteSize < 0 { throw DomainError.validation("byte_size", "must not be negative") }
        if request.byteSize > limits.maxAttachmentBytes { throw DomainError.attachmentTooLarge(limit: limits.maxAttachmentBytes) }
        if let name = request.originalFilename {
            try validate.optionalText(name, field: "original_filename", maxLength: limits.maxAttachmentFieldLength)
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw DomainError.validation("original_filename", "must not contain control characters")
            }
        }
        let now = Date()
        let attachment = Attachment(
            id: IDs.make(), tenantId: caller.tenantId, senderId: caller.userId, contentType: contentType,
            byteSize: request.byteSize, originalFilename: request.originalFilename, status: .pending,
            insertedAt: now, updatedAt: now)
        let key = BlobDescriptor.key(tenantId: caller.tenantId, attachmentId: attachment.id)
        try await store.transaction { try await $0.insertAttachment(attachment, storageKey: key) }
        let blob = BlobDescriptor(key: key, attachmentId: attachment.id, contentType: contentType,
                                  byteSize: request.byteSize, filename: request.originalFilename)
        let upload = try blobs.uploadInstructions(
            for: blob, expiresAt: now.addingTimeInterval(TimeInterval(settings.uploadURLLifetime)), baseURL: baseURL())
        return AttachmentUploadResponse(attachment: attachment, upload: upload)
    }

    /// A signed GET URL (about an hour) for the uploader or a member of the message's conversation.
    func downloadURL(id: String, for caller: UserPrincipal) async throws -> DownloadURLResponse {
        guard let record = try await store.read({ q -> AttachmentRecord? in
            guard let record = try await q.attachmentRecord(id: id, tenantId: caller.tenantId), record.isLive,
                  try await Self.canSee(record, caller, q)
            else { return nil }
            return record
        }) else { throw DomainError.notFound("attachment") }
        if !record.isUploaded {
            guard case .verified = try await confirm(record) else {
                throw DomainError.conflict("the bytes of this attachment have not been uploaded yet")
            }
        }
        let expiresAt = Date().addingTimeInterval(TimeInterval(settings.downloadURLLifetime))
        return DownloadURLResponse(url: try blobs.downloadURL(for: record.blob, expiresAt: expiresAt, baseURL: baseURL()),
                                   method: "get")
    }

    /// Deletes an attachment: the uploader while it is pending; the message's sender or an
    /// owner/admin of the conversation once it is linked (its message is then updated).
    func delete(id: String, by caller: UserPrincipal) async throws {
        // A linked attachment changes its message: take the conversation's publish turn (see
        // `PublishLanes`) so `message:updated` goes out in commit order.
        let lane = (try? await store.read { try await $0.attachmentRecord(id: id, tenantId: caller.tenantId)?.conversationId })
            .flatMap { $0 } ?? id
        let record: AttachmentRecord = try await committer.commit(lane: lane) { q in
            guard let record = try await q.attachmentRecord(id: id, tenantId: caller.tenantId), record.isLive,
                  try await Self.canSee(record, caller, q)
            else { throw DomainError.notFound("attachment") }
            let now = WallClock.nowMicros()
            guard let messageId = record.attachment.messageId else {
                guard record.attachment.senderId == caller.userId else { throw DomainError.notFound("attachment") }
                _ = try await q.markAttachmentDeleted(id: id, at: now)
                return Change(record)
            }
            if record.attachment.senderId != caller.userId {
                guard let conversationId = record.conversationId,
                      let membership = try await q.membership(conversationId: conversationId, userId: caller.userId),
                      membership.role.canManage
                else { throw DomainError.forbidden("only the sender or an owner or admin can delete this attachment") }
            }
            _ = try await q.markAttachmentDeleted(id: id, at: now)
            try await q.touchMessage(id: messageId, at: now)
            guard let updated = try await q.message(id: messageId, tenantId: caller.tenantId) else { return Change(record) }
            return Change(record, events: [try .conversation(updated.conversationId, RealtimeEvent.messageUpdated, updated)])
        }
        // The bytes go now when the store answers; otherwise the cleanup retries.
        do {
            try await blobs.delete(key: record.storageKey)
            try await store.transaction { try await $0.removeDeletedAttachment(id: id) }
        } catch {
            logger.warning("attachment bytes not deleted yet; the cleanup will retry",
                           metadata: ["attachment_id": "\(id)", "error": "\(error)"])
        }
    }

    // MARK: - Linking (MessageService.send)

    /// Before the send transaction: confirms with the blob store the caller's listed uploads
    /// the server has not seen arrive (S3 uploads bypass the server), recording their hash.
    /// Slow I/O stays outside the transaction; the transaction then links only confirmed rows.
    func confirmUploads(_ ids: [String], by caller: UserPrincipal) async throws {
        let canonical = ids.compactMap(IDs.canonical)
        let records = try await store.read { try await $0.attachmentRecords(ids: canonical, tenantId: caller.tenantId) }
        for record in records where record.attachment.senderId == caller.userId && record.attachment.messageId == nil
            && record.isLive && !record.isUploaded {
            if case .mismatch(let reason) = try await confirm(record) {
                throw DomainError.validation("attachment_ids", "the bytes uploaded for \(record.id) do not match the request: \(reason)")
            }
        }
    }

    /// Inside the send transaction: links the listed attachments to the new message and makes
    /// them `ready`. Each must be the sender's own, uploaded, and not linked yet.
    func link(_ ids: [String], to message: Message, _ q: Queries) async throws -> [Attachment] {
        guard !ids.isEmpty else { return [] }
        var unique: [String] = []
        for raw in ids {
            let id = try validate.uuid(raw, field: "attachment_ids")
            if !unique.contains(id) { unique.append(id) }
        }
        let records = Dictionary(try await q.attachmentRecords(ids: unique, tenantId: message.tenantId).map { ($0.id, $0) },
                                 uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for id in unique {
            guard let record = records[id], record.isLive, record.attachment.senderId == message.senderId else {
                problems.append("\(id) is not an attachment you uploaded")
                continue
            }
            if record.attachment.messageId != nil {
                problems.append("\(id) is already attached to a message")
            } else if !record.isUploaded {
                problems.append("\(id) has not been uploaded yet")
            }
        }
        if !problems.isEmpty { throw DomainError.validation(["attachment_ids": problems]) }
        let now = WireTime.micros(message.insertedAt)
        for (position, id) in unique.enumerated() {
            guard try await q.linkAttachment(id: id, tenantId: message.tenantId, senderId: message.senderId,
                                             messageId: message.id, position: position, at: now)
            else { throw DomainError.validation("attachment_ids", "\(id) is no longer available") }
        }
        let linked = Dictionary(try await q.attachmentRecords(ids: unique, tenantId: message.tenantId).map { ($0.id, $0) },
                                uniquingKeysWith: { first, _ in first })
        return unique.compactMap { linked[$0]?.attachment }
    }

    // MARK: - Cleanup

    /// Marks never-sent uploads older than the pending lifetime deleted, then deletes the
    /// bytes and rows of deleted attachments. Returns how many were removed.
    @discardableResult
    func purge(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(settings.effectivePendingLifetime))
        let expired = try await store.transaction {
            try await $0.expireUnlinkedAttachments(requestedBefore: WireTime.micros(cutoff), at: WireTime.micros(now))
        }
        if expired > 0 { logger.debug("expired unsent attachments", metadata: ["count": "\(expired)"]) }
        let batchSize = 100
        var removed = 0
        while true {
            let batch = try await store.read { try await $0.deletedAttachments(limit: batchSize) }
            var progressed = false
            for item in batch {
                do {
                    try await blobs.delete(key: item.storageKey)
                    try await store.transaction { try await $0.removeDeletedAttachment(id: item.id) }
                    removed += 1
                    progressed = true
                } catch {
                    logger.warning("could not delete attachment bytes", metadata: ["attachment_id": "\(item.id)",
                                                                                    "error": "\(error)"])
                }
            }
            if batch.count < batchSize || !progressed { break }
        }
        await blobs.purgeScratch()
        return removed
    }

    // MARK: - Helpers

    /// The uploader, or a member of the linked message's conversation (its message not deleted).
    private static func canSee(_ record: AttachmentRecord, _ caller: UserPrincipal, _ q: Queries) async throws -> Bool {
        if record.attachment.senderId == caller.userId { return true }
        guard let conversationId = record.conversationId else { return false }
        return try await q.membership(conversationId: conversationId, userId: caller.userId) != nil
    }

    /// Asks the store about bytes the server has not seen arrive; records their hash when they
    /// match. A mismatching object is removed so the client can upload again.
    private func confirm(_ record: AttachmentRecord) async throws -> BlobInspection {
        let inspection: BlobInspection
        do {
            inspection = try await blobs.inspect(record.blob)
        } catch {
            logger.error("blob store inspection failed", metadata: ["attachment_id": "\(record.id)", "error": "\(error)"])
            throw DomainError.unavailable("the attachment store is not reachable")
        }
        switch inspection {
        case .missing:
            break
        case .mismatch(let reason):
            logger.notice("uploaded bytes do not match their attachment", metadata: ["attachment_id": "\(record.id)",
                                                                                    "reason": "\(reason)"])
            try? await blobs.delete(key: record.storageKey)
        case .verified(let sha256):
            _ = try await store.transaction {
                try await $0.markAttachmentUploaded(id: record.id, sha256: sha256, at: WallClock.nowMicros())
            }
        }
        return inspection
    }

    /// A MIME type such as `image/png` or `text/plain; charset=utf-8`: printable ASCII only
    /// (it is echoed in response headers), a `type/subtype` of token characters.
    static func checkedContentType(_ value: String, maxLength: Int) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let mediaType = trimmed.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, trimmed.count <= maxLength,
              trimmed.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }),
              parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(tokenCharacters.contains) })
        else { throw DomainError.validation("content_type", "must be a MIME type such as image/png") }
        return trimmed
    }
}
