import AsyncHTTPClient
import Foundation
import NIOCore
import PoolseTestSupport
import PoolseWire
import Testing

@testable import PoolseServer

/// One answer from a signed blob URL (the server's own `/blobs/:id` or an S3 bucket).
struct BlobResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data

    var errorCode: String? {
        (try? WireCoding.decoder.decode(JSONValue.self, from: body))?.objectValue?["error"]?.objectValue?["code"]?.stringValue
    }
}

/// Requests to signed URLs over real HTTP, as a client outside the server would make them.
enum BlobHTTP {
    /// PUTs `body` with `headers`. With `chunked`, the body is streamed without a `Content-Length`.
    static func put(_ url: String, headers: [String: String], body: Data, chunked: Bool = false) async throws -> BlobResult {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        for (name, value) in headers where !(chunked && name.lowercased() == "content-length") {
            request.headers.add(name: name, value: value)
        }
        if chunked {
            let chunks = stride(from: 0, to: body.count, by: 16 * 1024).map {
                ByteBuffer(bytes: body[$0..<min($0 + 16 * 1024, body.count)])
            }
            request.body = .stream(chunks.asyncStream, length: .unknown)
        } else {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await execute(request)
    }

    /// GETs `url`, optionally with a `Range`.
    static func get(_ url: String, headers: [String: String] = [:]) async throws -> BlobResult {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await execute(request)
    }

    private static func execute(_ request: HTTPClientRequest) async throws -> BlobResult {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return BlobResult(status: Int(response.status.code), headers: headers, body: Data(buffer: body))
    }
}

extension Sequence where Element: Sendable {
    /// The elements as an async sequence (for streamed request bodies).
    var asyncStream: AsyncStream<Element> {
        let items = Array(self)
        return AsyncStream { continuation in
            for item in items { continuation.yield(item) }
            continuation.finish()
        }
    }
}

extension Data {
    /// Random bytes.
    static func random(count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

extension BlobDescriptor {
    /// Where the store keeps `attachment`'s bytes.
    init(_ attachment: PoolseWire.Attachment) {
        self.init(key: BlobDescriptor.key(tenantId: attachment.tenantId, attachmentId: attachment.id),
                  attachmentId: attachment.id, contentType: attachment.contentType, byteSize: attachment.byteSize,
                  filename: attachment.originalFilename)
    }
}

extension APIClient {
    /// Requests an upload URL and returns the pending attachment with its instructions.
    func requestUpload(token: String, contentType: String = "application/octet-stream", size: Int,
                       filename: String? = "file.bin") async throws -> AttachmentUploadResponse {
        var body: [String: JSONValue] = ["content_type": .string(contentType), "byte_size": .number(Double(size))]
        if let filename { body["original_filename"] = .string(filename) }
        let result = try await request(.post, "/v1/attachments/upload-url", token: token, json: .object(body))
        #expect(result.status == 201, "\(String(decoding: result.body, as: UTF8.self))")
        return try result.decode(AttachmentUploadResponse.self)
    }

    /// Requests an upload URL and PUTs `data` to it; returns the pending attachment.
    func upload(_ data: Data, token: String, contentType: String = "application/octet-stream",
                filename: String? = "file.bin") async throws -> PoolseWire.Attachment {
        let response = try await requestUpload(token: token, contentType: contentType, size: data.count, filename: filename)
        let put = try await BlobHTTP.put(response.upload.url, headers: response.upload.headers, body: data)
        #expect(put.status == 200, "\(String(decoding: put.body, as: UTF8.self))")
        return response.attachment
    }

    /// Sends a message carrying `attachmentIds` (and `body`, when given).
    func sendAttachments(_ attachmentIds: [String], to conversationId: String, token: String,
                         body: String? = nil) async throws -> APIResult {
        var json: [String: JSONValue] = ["attachment_ids": .array(attachmentIds.map(JSONValue.string))]
        json["body"] = body.map(JSONValue.string) ?? .null
        return try await request(.post, "/v1/conversations/\(conversationId)/messages", token: token, json: .object(json))
    }

    /// The signed download URL of an attachment, as `token` sees it.
    func downloadURL(_ attachmentId: String, token: String) async throws -> APIResult {
        try await request(.get, "/v1/attachments/\(attachmentId)/download-url", token: token)
    }
}
