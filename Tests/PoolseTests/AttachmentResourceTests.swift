import Foundation
import Testing
@testable import Poolse

@Suite("Attachments")
struct AttachmentResourceTests {
    static let uploadURL = "https://blobs.example.test/blobs/a-1?expires=1800000900&signature=sig"

    static func presigned(headers: String = #"{"Content-Type":"image/png","Content-Length":"5"}"#) -> String {
        #"{"attachment":\#(Fixture.attachment()),"upload":{"url":"\#(uploadURL)","method":"put","headers":\#(headers)}}"#
    }

    @Test func requestUploadPostsTheAttributes() async throws {
        let transport = MockTransport([.json(201, Self.presigned())])
        let response = try await makeClient(transport).attachments.requestUpload(
            .init(contentType: "image/png", byteSize: 5, originalFilename: "a.png"))
        let request = try #require(await transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.path == "/v1/attachments/upload-url")
        #expect(request.jsonBody == ["content_type": "image/png", "byte_size": 5, "original_filename": "a.png"])
        #expect(request.header("Idempotency-Key") != nil)
        #expect(response.attachment.id == "a-1")
        #expect(response.upload.headers == ["Content-Type": "image/png", "Content-Length": "5"])
    }

    @Test func uploadPutsExactlyTheSignedHeadersAndNoCredentials() async throws {
        let transport = MockTransport([.json(201, Self.presigned()), .json(200, Fixture.attachment(sha256: "ab12"))])
        let attachment = try await makeClient(transport).attachments.upload(
            .init(data: Data("hello".utf8), contentType: "image/png", filename: "a.png"))
        let requests = await transport.requests
        #expect(requests.count == 2)
        #expect(requests[0].header("Authorization") == "Bearer test-token")
        #expect(requests[0].jsonBody == ["content_type": "image/png", "byte_size": 5, "original_filename": "a.png"])
        let put = requests[1]
        #expect(put.method == .put)
        #expect(put.url.absoluteString == Self.uploadURL)
        #expect(put.headers == ["Content-Type": "image/png", "Content-Length": "5"], "no Authorization, no Idempotency-Key")
        #expect(put.body == Data("hello".utf8))
        #expect(attachment.sha256 == "ab12", "the server's own store answers with the stored row")
    }

    @Test func anEmptyPutAnswerReturnsThePendingAttachment() async throws {
        let transport = MockTransport([.json(201, Self.presigned()), .respond(TransportResponse(statusCode: 200))])
        let attachment = try await makeClient(transport).attachments.upload(.init(data: Data("hello".utf8),
                                                                                  contentType: "image/png"))
        #expect(attachment.id == "a-1")
        #expect(attachment.status == .pending)
    }

    @Test func aSizeThatDoesNotMatchTheBytesSendsNothing() async throws {
        let transport = MockTransport()
        let attachments = makeClient(transport).attachments
        await #expect(throws: InvalidRequestError.self) {
            try await attachments.upload(.init(source: .data(Data("hello".utf8)), contentType: "text/plain", byteSize: 4))
        }
        await #expect(throws: InvalidRequestError.self) {
            try await attachments.upload(.init(file: URL(fileURLWithPath: "/nonexistent/file"), contentType: "text/plain"))
        }
        #expect(await transport.requestCount == 0)
    }

    @Test(arguments: [(400, "size_mismatch"), (403, "signature_expired"), (409, "conflict")])
    func refusedPutsBecomeAPIErrorsAndAreNotRetried(status: Int, code: String) async throws {
        let transport = MockTransport([.json(201, Self.presigned()), .error(status, code: code)])
        let attachments = makeClient(transport).attachments
        let error = await #expect(throws: APIError.self) {
            try await attachments.upload(.init(data: Data("hello".utf8), contentType: "image/png"))
        }
        #expect(error?.status == status)
        #expect(error?.code == code)
        #expect(await transport.requestCount == 2)
    }

    @Test func aStorageErrorThatIsNotAnEnvelopeStillSurfaces() async throws {
        let xml = TransportResponse(statusCode: 412, body: Data("<Error><Code>PreconditionFailed</Code></Error>".utf8))
        let transport = MockTransport([.json(201, Self.presigned()), .respond(xml)])
        let attachments = makeClient(transport).attachments
        let error = await #expect(throws: APIError.self) {
            try await attachments.upload(.init(data: Data("hello".utf8), contentType: "image/png"))
        }
        #expect(error?.status == 412)
    }

    @Test func anUploadTransportStreamsFilesAndReportsProgress() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-\(UUID().uuidString).png")
        try Data("hello".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let transport = ScriptedUploadTransport(presigned: Self.presigned())
        let seen = Locked<[UploadProgress]>([])
        let attachment = try await makeUploadClient(transport).attachments.upload(
            .init(file: file, contentType: "image/png")) { step in seen.withLock { $0.append(step) } }

        #expect(attachment.id == "a-1")
        let upload = try #require(await transport.uploads.first)
        #expect(upload.source == .file(file), "the file is handed over, not read into memory")
        #expect(upload.request.body == nil)
        #expect(upload.request.headers["Authorization"] == nil)
        #expect(seen.withLock { $0 } == [UploadProgress(loaded: 2, total: 5), UploadProgress(loaded: 5, total: 5)])
        let presign = try #require(await transport.requests.first)
        #expect(presign.jsonBody?.objectValue?["original_filename"]?.stringValue == file.lastPathComponent)
    }

    @Test func startUploadStreamsProgressAndTheResult() async throws {
        let transport = ScriptedUploadTransport(presigned: Self.presigned())
        let upload = makeUploadClient(transport).attachments.startUpload(.init(data: Data("hello".utf8),
                                                                             contentType: "image/png"))
        var steps: [UploadProgress] = []
        for await step in upload.progress { steps.append(step) }
        #expect(steps == [UploadProgress(loaded: 2, total: 5), UploadProgress(loaded: 5, total: 5)])
        #expect(try await upload.attachment.id == "a-1")
    }

    @Test func cancellingStopsThePut() async throws {
        let transport = ScriptedUploadTransport(presigned: Self.presigned(), hangs: true)
        let upload = makeUploadClient(transport).attachments.startUpload(.init(data: Data("hello".utf8),
                                                                             contentType: "image/png"))
        await transport.uploading.wait()
        upload.cancel()
        await #expect(throws: CancellationError.self) { try await upload.attachment }
        var steps = 0
        for await _ in upload.progress { steps += 1 }
        #expect(steps == 0, "the stream finishes when the upload stops")

        let plain = MockTransport([.json(201, Self.presigned()), .hang])
        let attachments = makeClient(plain).attachments
        let call = Task { try await attachments.upload(.init(data: Data("hello".utf8), contentType: "image/png")) }
        await eventually { await plain.requestCount == 2 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
    }

    @Test func handleAsksForADownloadURLAndDeletes() async throws {
        let transport = MockTransport([.json(200, #"{"url":"https://blobs.example.test/x","method":"get"}"#), .noContent])
        let handle = makeClient(transport).attachments.one("a 1")
        let download = try await handle.downloadURL()
        try await handle.delete()
        let requests = await transport.requests
        #expect(requests.map(\.method) == [.get, .delete])
        #expect(requests.map(\.url.absoluteString) == ["https://chat.example.test/v1/attachments/a%201/download-url",
                                                       "https://chat.example.test/v1/attachments/a%201"])
        #expect(download.url == "https://blobs.example.test/x")
        #expect(download.method == "get")
    }
}

/// A transport that also uploads: answers the presign with `presigned`, then takes the PUT,
/// reporting progress 2/5 and 5/5 (or hanging until cancelled).
private actor ScriptedUploadTransport: HTTPTransport, UploadTransport {
    let presigned: String
    let hangs: Bool
    private(set) var requests: [TransportRequest] = []
    private(set) var uploads: [(request: TransportRequest, source: UploadSource)] = []
    nonisolated let uploading = Gate()

    init(presigned: String, hangs: Bool = false) {
        self.presigned = presigned
        self.hangs = hangs
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        requests.append(request)
        return .json(201, presigned)
    }

    func upload(_ request: TransportRequest, from source: UploadSource,
                progress: (@Sendable (UploadProgress) -> Void)?) async throws -> TransportResponse {
        uploads.append((request, source))
        uploading.open()
        if hangs { try await suspendUntilCancelled() }
        progress?(UploadProgress(loaded: 2, total: 5))
        progress?(UploadProgress(loaded: 5, total: 5))
        return TransportResponse(statusCode: 200)
    }
}

private func makeUploadClient(_ transport: ScriptedUploadTransport) -> Poolse {
    Poolse(PoolseConfiguration(apiURL: URL(string: "https://chat.example.test")!, transport: transport) { "test-token" })
}

extension Fixture {
    static func attachment(id: String = "a-1", sha256: String? = nil) -> String {
        let hash = sha256.map { #""\#($0)""# } ?? "null"
        return #"{"id":"\#(id)","tenant_id":"t-1","message_id":null,"sender_id":"u-1","content_type":"image/png","byte_size":5,"sha256":\#(hash),"original_filename":"a.png","status":"pending","inserted_at":"\#(time)","updated_at":"\#(time)","future_field":0}"#
    }
}
