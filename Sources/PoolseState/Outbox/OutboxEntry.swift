import Foundation

/// One send that the server has not confirmed yet, as the store keeps it: the request
/// with its client id, the idempotency key every attempt carries (also after a relaunch),
/// and the files to upload first.
struct OutboxEntry: Codable, Sendable, Identifiable {
    /// The message's client id (`request.id`).
    var id: String
    var conversationID: String
    var idempotencyKey: String
    var request: MessageCreateRequest
    var attachments: [OutboxAttachment]
    var createdAt: Date
    var senderID: String
    var senderExternalID: String
    /// Set when the server refused the send for good: it stays, failed, until retried or discarded.
    var failure: OutboxFailure?

    /// How the row looks before the server answers: sequence 0, the server's fields empty.
    var optimisticMessage: Message {
        Message(id: id, tenantId: "", conversationId: conversationID, senderId: senderID,
                senderExternalId: senderExternalID, type: request.type ?? .text, body: request.body,
                replyToId: request.replyToId, threadRootId: nil, quotedMessageId: request.quotedMessageId,
                mentions: request.mentions ?? [], sequence: 0, insertedAt: createdAt, updatedAt: createdAt)
    }
}

/// A file of an outbox entry: its bytes (or path) until uploaded, then the attachment id.
struct OutboxAttachment: Codable, Sendable {
    var contentType: String
    var filename: String?
    var data: Data?
    var filePath: String?
    var uploadedID: String?

    init(_ input: AttachmentUploadInput) {
        contentType = input.contentType
        filename = input.filename
        switch input.source {
        case .data(let bytes): data = bytes
        case .file(let url): filePath = url.path
        }
    }

    var input: AttachmentUploadInput {
        if let filePath {
            return AttachmentUploadInput(file: URL(fileURLWithPath: filePath), contentType: contentType,
                                         filename: filename)
        }
        return AttachmentUploadInput(data: data ?? Data(), contentType: contentType, filename: filename)
    }
}

/// A refusal, kept in a form that survives a relaunch (it comes back as an ``APIError``).
struct OutboxFailure: Codable, Sendable {
    var status: Int
    var code: String
    var message: String

    init(_ error: any Error) {
        if let api = error as? APIError {
            status = api.status
            code = api.code
            message = api.message
        } else {
            status = 0
            code = "invalid_request"
            message = (error as? any PoolseError)?.message ?? String(describing: error)
        }
    }

    var error: any Error {
        status == 0 ? InvalidRequestError(message: message) as any Error
            : APIError(status: status, code: code, message: message)
    }
}
