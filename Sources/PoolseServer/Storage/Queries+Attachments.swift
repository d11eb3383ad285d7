import PoolseWire
import SQLKit

/// An attachment row with what the wire type does not carry: where its bytes are, whether
/// they have arrived, and the conversation and state of the message it is linked to.
struct AttachmentRecord: Sendable {
    var attachment: Attachment
    let storageKey: String
    let uploadedAt: Int64?
    let deletedAt: Int64?
    let conversationId: String?
    let messageDeletedAt: Int64?

    var id: String { attachment.id }
    /// The bytes have arrived and were checked.
    var isUploaded: Bool { uploadedAt != nil }
    /// Neither the attachment nor its message was deleted.
    var isLive: Bool { deletedAt == nil && messageDeletedAt == nil }

    var blob: BlobDescriptor {
        BlobDescriptor(key: storageKey, attachmentId: attachment.id, contentType: attachment.contentType,
                       byteSize: attachment.byteSize, filename: attachment.originalFilename)
    }
}

extension Queries {
    private static let attachmentSelect = """
        SELECT a.id, a.tenant_id, a.message_id, a.sender_id, a.content_type, a.byte_size, a.sha256,
          a.original_filename, a.status, a.storage_key, a.uploaded_at, a.deleted_at, a.inserted_at, a.updated_at,
          m.conversation_id AS m_conversation_id, m.deleted_at AS m_deleted_at
        FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
        """

    func insertAttachment(_ a: Attachment, storageKey: String) async throws {
        try await db.raw("""
            INSERT INTO attachments (id, tenant_id, sender_id, content_type, byte_size, original_filename, status,
              storage_key, inserted_at, updated_at)
            VALUES (\(bind: a.id), \(bind: a.tenantId), \(bind: a.senderId), \(bind: a.contentType), \(bind: a.byteSize),
              \(bind: a.originalFilename), \(bind: a.status.rawValue), \(bind: storageKey),
              \(bind: WireTime.micros(a.insertedAt)), \(bind: WireTime.micros(a.updatedAt)))
            """).run()
    }

    /// An attachment by id in any tenant (the signed blob routes know only the id).
    func attachmentRecord(id: String) async throws -> AttachmentRecord? {
        try await db.raw("\(unsafeRaw: Self.attachmentSelect) WHERE a.id = \(bind: id)").first().map(Self.attachmentRecord)
    }

    func attachmentRecord(id: String, tenantId: String) async throws -> AttachmentRecord? {
        try await db.raw("""
            \(unsafeRaw: Self.attachmentSelect) WHERE a.id = \(bind: id) AND a.tenant_id = \(bind: tenantId)
            """).first().map(Self.attachmentRecord)
    }

    func attachmentRecords(ids: [String], tenantId: String) async throws -> [AttachmentRecord] {
        guard !ids.isEmpty else { return [] }
        return try await db.raw("""
            \(unsafeRaw: Self.attachmentSelect) WHERE a.id IN (\(binds: ids)) AND a.tenant_id = \(bind: tenantId)
            """).all().map(Self.attachmentRecord)
    }

    /// Records that the bytes arrived, unless that was already recorded or the attachment is
    /// deleted; returns whether this call recorded it.
    func markAttachmentUploaded(id: String, sha256: String, at time: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE attachments SET uploaded_at = \(bind: time), sha256 = \(bind: sha256), updated_at = \(bind: time)
            WHERE id = \(bind: id) AND uploaded_at IS NULL AND deleted_at IS NULL
            RETURNING id
            """).first() != nil
    }

    /// Links an uploaded, unlinked attachment of `senderId` to a message and makes it `ready`;
    /// returns false when the row no longer qualifies (deleted or linked meanwhile).
    func linkAttachment(id: String, tenantId: String, senderId: String, messageId: String, position: Int,
                        at time: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE attachments SET message_id = \(bind: messageId), ordinal = \(bind: position), status = 'ready',
              updated_at = \(bind: time)
            WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId) AND sender_id = \(bind: senderId)
              AND message_id IS NULL AND uploaded_at IS NOT NULL AND deleted_at IS NULL
            RETURNING id
            """).first() != nil
    }

    /// Makes an attachment unreachable; the cleanup deletes its bytes and then the row.
    func markAttachmentDeleted(id: String, at time: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE attachments SET deleted_at = \(bind: time), updated_at = \(bind: time)
            WHERE id = \(bind: id) AND deleted_at IS NULL
            RETURNING id
            """).first() != nil
    }

    /// Marks the attachments of a message deleted (the message became a tombstone).
    func markAttachmentsDeleted(messageId: String, at time: Int64) async throws {
        try await db.raw("""
            UPDATE attachments SET deleted_at = \(bind: time), updated_at = \(bind: time)
            WHERE message_id = \(bind: messageId) AND deleted_at IS NULL
            """).run()
    }

    /// Marks deleted every attachment never linked to a message whose upload was requested
    /// before `cutoff`; returns how many.
    func expireUnlinkedAttachments(requestedBefore cutoff: Int64, at time: Int64) async throws -> Int {
        try await db.raw("""
            UPDATE attachments SET deleted_at = \(bind: time), updated_at = \(bind: time)
            WHERE status = 'pending' AND inserted_at < \(bind: cutoff) AND message_id IS NULL AND deleted_at IS NULL
            RETURNING id
            """).all().count
    }

    /// Deleted attachments whose bytes still have to go, oldest deletion first.
    func deletedAttachments(limit: Int) async throws -> [(id: String, storageKey: String)] {
        try await db.raw("""
            SELECT id, storage_key FROM attachments WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT \(bind: limit)
            """).all().map { (try $0.string("id"), try $0.string("storage_key")) }
    }

    /// Removes the row of a deleted attachment once its bytes are gone.
    func removeDeletedAttachment(id: String) async throws {
        try await db.raw("DELETE FROM attachments WHERE id = \(bind: id) AND deleted_at IS NOT NULL").run()
    }

    /// Fills `attachments` for a page of messages: live attachments in the order they were
    /// sent; none for tombstones.
    func withAttachments(_ messages: [Message]) async throws -> [Message] {
        let live = messages.filter { $0.deletedAt == nil }.map(\.id)
        guard !live.isEmpty else { return messages }
        let rows = try await db.raw("""
            \(unsafeRaw: Self.attachmentSelect)
            WHERE a.message_id IN (\(binds: live)) AND a.deleted_at IS NULL
            ORDER BY a.ordinal, a.id
            """).all()
        var byMessage: [String: [Attachment]] = [:]
        for row in rows {
            let record = try Self.attachmentRecord(row)
            if let messageId = record.attachment.messageId { byMessage[messageId, default: []].append(record.attachment) }
        }
        return messages.map { message in
            var message = message
            message.attachments = message.deletedAt == nil ? byMessage[message.id] ?? [] : []
            return message
        }
    }

    static func attachmentRecord(_ row: any SQLRow) throws -> AttachmentRecord {
        AttachmentRecord(
            attachment: Attachment(
                id: try row.string("id"), tenantId: try row.string("tenant_id"),
                messageId: try row.optionalString("message_id"), senderId: try row.string("sender_id"),
                contentType: try row.string("content_type"), byteSize: try row.int64("byte_size"),
                sha256: try row.optionalString("sha256"), originalFilename: try row.optionalString("original_filename"),
                status: AttachmentStatus(rawValue: try row.string("status")), insertedAt: try row.date("inserted_at"),
                updatedAt: try row.date("updated_at")),
            storageKey: try row.string("storage_key"), uploadedAt: try row.optionalInt64("uploaded_at"),
            deletedAt: try row.optionalInt64("deleted_at"), conversationId: try row.optionalString("m_conversation_id"),
            messageDeletedAt: try row.optionalInt64("m_deleted_at"))
    }
}
