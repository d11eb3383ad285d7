/// `POST /v1/attachments/upload-url`.
public struct AttachmentUploadRequest: Codable, Hashable, Sendable {
    /// The MIME type the bytes will be PUT with.
    public var contentType: String
    /// The exact size in bytes.
    public var byteSize: Int64
    /// The file name shown to people.
    public var originalFilename: String?

    /// Creates the request.
    public init(contentType: String, byteSize: Int64, originalFilename: String? = nil) {
        self.contentType = contentType
        self.byteSize = byteSize
        self.originalFilename = originalFilename
    }

    enum CodingKeys: String, CodingKey {
        case contentType = "content_type", byteSize = "byte_size", originalFilename = "original_filename"
    }
}

/// The answer to an upload request: the pending attachment and where to PUT its bytes.
public struct AttachmentUploadResponse: Codable, Hashable, Sendable {
    /// The pending attachment.
    public var attachment: Attachment
    /// How to send the bytes.
    public var upload: UploadInstructions

    /// Creates the response.
    public init(attachment: Attachment, upload: UploadInstructions) {
        self.attachment = attachment
        self.upload = upload
    }
}

/// A signed URL with the method and exact headers to use (never an `Authorization` header).
public struct UploadInstructions: Codable, Hashable, Sendable {
    /// The signed URL.
    public var url: String
    /// `put`.
    public var method: String
    /// Headers to send exactly.
    public var headers: [String: String]

    /// Creates the instructions.
    public init(url: String, method: String, headers: [String: String]) {
        self.url = url
        self.method = method
        self.headers = headers
    }
}

/// A signed download URL (about an hour).
public struct DownloadURLResponse: Codable, Hashable, Sendable {
    /// The signed URL.
    public var url: String
    /// `get`.
    public var method: String

    /// Creates the response.
    public init(url: String, method: String) {
        self.url = url
        self.method = method
    }
}
