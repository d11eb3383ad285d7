import Foundation

/// A file attached to a message (PROTOCOL.md §5, §7).
public struct Attachment: Codable, Hashable, Sendable, Identifiable {
    /// Attachment id.
    public var id: String
    /// Owning tenant.
    public var tenantId: String
    /// The message it is linked to, once sent.
    public var messageId: String?
    /// The uploader.
    public var senderId: String
    /// MIME type the bytes were uploaded with.
    public var contentType: String
    /// Size in bytes.
    public var byteSize: Int64
    /// Lowercase hex SHA-256 of the bytes, once they arrived.
    public var sha256: String?
    /// The file name shown to people.
    public var originalFilename: String?
    /// `pending` or `ready`.
    public var status: AttachmentStatus
    /// Creation time.
    public var insertedAt: Date
    /// Last update time.
    public var updatedAt: Date

    /// Creates an attachment value.
    public init(id: String, tenantId: String, messageId: String? = nil, senderId: String, contentType: String,
                byteSize: Int64, sha256: String? = nil, originalFilename: String? = nil,
                status: AttachmentStatus, insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.messageId = messageId
        self.senderId = senderId
        self.contentType = contentType
        self.byteSize = byteSize
        self.sha256 = sha256
        self.originalFilename = originalFilename
        self.status = status
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId = "tenant_id", messageId = "message_id", senderId = "sender_id",
             contentType = "content_type", byteSize = "byte_size", sha256, originalFilename = "original_filename",
             status, insertedAt = "inserted_at", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tenantId = try c.decodeIfPresent(String.self, forKey: .tenantId) ?? ""
        messageId = try c.decodeIfPresent(String.self, forKey: .messageId)
        senderId = try c.decodeIfPresent(String.self, forKey: .senderId) ?? ""
        contentType = try c.decodeIfPresent(String.self, forKey: .contentType) ?? "application/octet-stream"
        byteSize = try c.decodeIfPresent(Int64.self, forKey: .byteSize) ?? 0
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        originalFilename = try c.decodeIfPresent(String.self, forKey: .originalFilename)
        status = try c.decodeIfPresent(AttachmentStatus.self, forKey: .status) ?? .pending
        insertedAt = try c.decode(Date.self, forKey: .insertedAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(messageId, forKey: .messageId)
        try c.encode(senderId, forKey: .senderId)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(byteSize, forKey: .byteSize)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(originalFilename, forKey: .originalFilename)
        try c.encode(status, forKey: .status)
        try c.encode(insertedAt, forKey: .insertedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
