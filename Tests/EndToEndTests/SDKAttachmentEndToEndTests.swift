import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Poolse
import PoolseServer
import PoolseTestSupport
import Testing

/// `chat.attachments` against a real server with URLSession: upload, send, receive the
/// message with the ready attachment, download the same bytes, on both blob stores.
@Suite("SDK ↔ server, attachments")
struct SDKAttachmentEndToEndTests {
    @Test func localStoreRoundTrip() async throws {
        try await ServerFixture.run { server in
            try await roundTrip(server)
        }
    }

    @Test(.enabled(if: MotoServer.shouldRun, "moto_server is not installed (pip install 'moto[server]')"))
    func s3StoreRoundTrip() async throws {
        try await MotoServer.with { moto in
            let s3 = S3Configuration(endpoint: moto.endpoint, bucket: "poolse-e2e-\(UUID().uuidString.prefix(8).lowercased())",
                                     accessKeyId: "test-key", secretAccessKey: "test-secret")
            try await createBucket(s3)
            try await ServerFixture.run({ $0.attachments.store = .s3(s3) }) { server in
                try await roundTrip(server)
            }
        }
    }

    @Test func cancellingAnUploadStopsThePut() async throws {
        try await ServerFixture.run { server in
            let alice = server.client(for: "alice")
            let upload = alice.attachments.startUpload(.init(data: Data(count: 25 << 20), contentType: "video/mp4"))
            for await step in upload.progress where step.loaded > 0 {
                upload.cancel()
                break
            }
            await #expect(throws: CancellationError.self) { try await upload.attachment }
            // The server drops the partial upload: nothing reaches its final name.
            let blobs = (server.app.configuration.dataDirectory as NSString).appendingPathComponent("blobs")
            let stored = FileManager.default.enumerator(atPath: blobs)?.allObjects.compactMap { $0 as? String }
                .filter { !$0.hasPrefix(".incoming") } ?? []
            #expect(stored.isEmpty, "\(stored)")
        }
    }

    @Test func refusalsSurfaceAsTypedErrors() async throws {
        try await ServerFixture.run({ $0.limits.maxAttachmentBytes = 1_000 }) { server in
            let alice = server.client(for: "alice")
            let tooLarge = await #expect(throws: APIError.self) {
                try await alice.attachments.upload(.init(data: Data(count: 1_001), contentType: "text/plain"))
            }
            #expect(tooLarge?.code == "attachment_too_large")
            let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: []))
            let pending = try await alice.attachments.requestUpload(.init(contentType: "text/plain", byteSize: 3))
            let notUploaded = await #expect(throws: APIError.self) {
                try await alice.conversations.one(group.id).messages.send(.init(attachmentIds: [pending.attachment.id]))
            }
            #expect(notUploaded?.code == "validation_failed")
            try await alice.attachments.one(pending.attachment.id).delete()
            let gone = await #expect(throws: APIError.self) { try await alice.attachments.one(pending.attachment.id).downloadURL() }
            #expect(gone?.status == 404)
        }
    }

    /// Alice uploads bytes and a file, sends them; Bob receives the message with both
    /// attachments ready and downloads the same bytes.
    private func roundTrip(_ server: ServerFixture) async throws {
        let alice = server.client(for: "alice")
        let bob = server.client(for: "bob")
        let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: ["bob"]))

        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let progress = Progress()
        let fromData = try await alice.attachments.upload(.init(data: bytes, contentType: "image/png", filename: "a.png")) {
            progress.record($0)
        }
        #expect(fromData.status == .pending)
        #expect(progress.last == UploadProgress(loaded: 300_000, total: 300_000), "URLSession reports progress here")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-e2e-\(UUID().uuidString).txt")
        let fileBytes = Data(String(repeating: "poolse attachment ", count: 50_000).utf8)
        try fileBytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let upload = alice.attachments.startUpload(.init(file: file, contentType: "text/plain"))
        var steps: [UploadProgress] = []
        for await step in upload.progress { steps.append(step) }
        let fromFile = try await upload.attachment
        #expect(steps.last == UploadProgress(loaded: Int64(fileBytes.count), total: Int64(fileBytes.count)))
        #expect(fromFile.originalFilename == file.lastPathComponent)

        let sent = try await alice.conversations.one(group.id).messages.send(
            .init(body: "two files", attachmentIds: [fromData.id, fromFile.id]))
        #expect(sent.attachments?.map(\.status) == [.ready, .ready])

        let received = try #require(try await bob.conversations.one(group.id).messages.list().data.first)
        #expect(received.id == sent.id)
        let attachments = try #require(received.attachments)
        #expect(attachments.map(\.id) == [fromData.id, fromFile.id])
        #expect(attachments.map(\.sha256) == [bytes.sha256Hex, fileBytes.sha256Hex])

        for (attachment, expected) in zip(attachments, [bytes, fileBytes]) {
            let link = try await bob.attachments.one(attachment.id).downloadURL()
            #expect(link.method == "get")
            let (downloaded, response) = try await URLSession.shared.data(from: try #require(URL(string: link.url)))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(downloaded.sha256Hex == expected.sha256Hex)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == attachment.contentType)
        }
    }

    /// A bucket on moto (which does not check credentials), created with a plain PUT.
    private func createBucket(_ s3: S3Configuration) async throws {
        var request = URLRequest(url: try #require(URL(string: "\(s3.endpoint)/\(s3.bucket)")))
        request.httpMethod = "PUT"
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }
}

/// Progress values reported from another thread.
private final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [UploadProgress] = []

    func record(_ value: UploadProgress) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }

    var last: UploadProgress? {
        lock.lock()
        defer { lock.unlock() }
        return values.last
    }
}
