import Foundation

/// Files attached to messages (`chat.attachments`). An upload is two steps, a signed URL
/// from the API and a PUT of the bytes to it; ``upload(_:onProgress:)`` does both.
/// Attach the result by passing its id in `MessageCreateRequest.attachmentIds`: the server
/// links it and marks it `ready` in the same transaction as the message.
///
/// ```swift
/// let photo = try await chat.attachments.upload(
///     .init(file: imageURL, contentType: "image/png")) { progress in
///         print("\(progress.loaded) of \(progress.total)")
///     }
/// try await chat.conversations.one(id).messages.send(.init(attachmentIds: [photo.id]))
/// ```
public struct AttachmentsResource: Sendable {
    let rest: RESTClient

    /// Step one: a pending attachment and the signed URL to PUT its bytes to.
    /// `POST /v1/attachments/upload-url` `{content_type, byte_size, original_filename?}`.
    /// Too large for the server: ``APIError`` 413 `attachment_too_large`.
    public func requestUpload(_ attributes: AttachmentUploadRequest) async throws -> AttachmentUploadResponse {
        try await rest.request(.post, "/v1/attachments/upload-url", body: attributes)
    }

    /// Requests an upload URL and PUTs the bytes to it, with exactly the headers the
    /// server asked for and no `Authorization`. Returns the attachment (still `pending`
    /// until a message links it).
    ///
    /// - Parameter onProgress: Called with `(loaded, total)` as bytes go out, when the
    ///   transport can tell (``URLSessionTransport`` can); otherwise never called.
    /// - Throws: ``InvalidRequestError`` (nothing sent) when `byteSize` does not match the
    ///   bytes; ``APIError`` when the API or the storage refuses (e.g. 400 `size_mismatch`,
    ///   403 `signature_expired`); ``NetworkError`` when the PUT got no answer (it is not
    ///   retried: a PUT that did land would be refused the second time); `CancellationError`
    ///   when the task is cancelled, which stops the PUT.
    public func upload(_ input: AttachmentUploadInput,
                       onProgress: (@Sendable (UploadProgress) -> Void)? = nil) async throws -> Attachment {
        let size = try input.resolvedByteSize()
        let presigned = try await requestUpload(AttachmentUploadRequest(
            contentType: input.contentType, byteSize: size, originalFilename: input.filename))
        return try await put(input.source, to: presigned, onProgress: onProgress)
    }

    /// Starts ``upload(_:onProgress:)`` in a task of its own and returns at once, with the
    /// progress as a stream next to the result.
    ///
    /// ```swift
    /// let upload = chat.attachments.startUpload(.init(data: bytes, contentType: "image/jpeg"))
    /// Task { for await step in upload.progress { bar.value = Double(step.loaded) / Double(step.total) } }
    /// let attachment = try await upload.attachment
    /// ```
    public func startUpload(_ input: AttachmentUploadInput) -> AttachmentUpload {
        let (progress, continuation) = AsyncStream<UploadProgress>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let task = Task {
            defer { continuation.finish() }
            return try await upload(input) { continuation.yield($0) }
        }
        return AttachmentUpload(progress: progress, task: task)
    }

    /// A handle on one attachment. Makes no request.
    public func one(_ id: String) -> AttachmentHandle {
        AttachmentHandle(id: id, rest: rest)
    }

    /// Step two: the PUT of the bytes to the signed URL.
    private func put(_ source: UploadSource, to presigned: AttachmentUploadResponse,
                     onProgress: (@Sendable (UploadProgress) -> Void)?) async throws -> Attachment {
        guard presigned.upload.method.lowercased() == "put", let url = URL(string: presigned.upload.url) else {
            throw InvalidResponseError(status: 201, underlying: nil, body: Data(presigned.upload.url.utf8))
        }
        let request = TransportRequest(method: .put, url: url, headers: presigned.upload.headers)
        try Task.checkCancellation()
        let response: TransportResponse
        do {
            if let uploader = rest.transport as? any UploadTransport {
                response = try await uploader.upload(request, from: source, progress: onProgress)
            } else {
                var plain = request
                plain.body = try source.bytes()
                response = try await rest.transport.send(plain)
            }
        } catch {
            if RESTClient.isCancellation(error) { throw CancellationError() }
            if error is InvalidRequestError { throw error }
            throw NetworkError(underlying: error)
        }
        guard (200..<300).contains(response.statusCode) else { throw APIError(response: response) }
        // The server's own store answers with the attachment (its sha256 filled in); an
        // S3-compatible store answers with nothing we read.
        if let stored = try? WireCoding.decoder.decode(Attachment.self, from: response.body),
           stored.id == presigned.attachment.id {
            return stored
        }
        return presigned.attachment
    }
}

/// An upload started with ``AttachmentsResource/startUpload(_:)``.
public struct AttachmentUpload: Sendable {
    /// `(loaded, total)` as bytes go out; finishes when the upload ends. Yields nothing
    /// where the transport cannot report progress.
    public let progress: AsyncStream<UploadProgress>
    let task: Task<Attachment, any Error>

    /// The uploaded attachment, once the PUT is done. Cancelling the task that waits here
    /// cancels the upload too.
    public var attachment: Attachment {
        get async throws {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        }
    }

    /// Stops the upload; ``attachment`` then throws `CancellationError`.
    public func cancel() { task.cancel() }
}

/// One attachment, by id (`chat.attachments.one(id)`).
public struct AttachmentHandle: Sendable {
    /// The attachment id.
    public let id: String
    let rest: RESTClient

    var path: String { "/v1/attachments/" + RequestURL.segment(id) }

    /// A signed URL that serves the bytes for about an hour, for the uploader or a member
    /// of the message's conversation. `GET /v1/attachments/:id/download-url`.
    public func downloadURL() async throws -> DownloadURLResponse {
        try await rest.request(.get, path + "/download-url")
    }

    /// Deletes the attachment: the uploader while it is pending; the message's sender or an
    /// owner/admin of the conversation once it is sent. `DELETE /v1/attachments/:id`.
    public func delete() async throws {
        try await rest.request(.delete, path)
    }
}

extension UploadSource {
    /// The bytes for a transport that takes a body: data as is, a file memory-mapped.
    func bytes() throws -> Data {
        switch self {
        case .data(let data):
            return data
        case .file(let url):
            do {
                return try Data(contentsOf: url, options: .alwaysMapped)
            } catch {
                throw InvalidRequestError(message: "\(url) could not be read: \(error)")
            }
        }
    }
}
