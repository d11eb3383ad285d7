import Foundation
import PoolseTestSupport
import PoolseWire
import Testing

@testable import PoolseServer

/// Attachments on an S3-compatible store: a real `moto_server` on loopback, presigned URLs
/// used over real HTTP, the server's own SigV4 HEAD/GET/DELETE calls.
@Suite("Attachments on S3", .enabled(if: MotoServer.shouldRun, "moto_server is not installed (pip install 'moto[server]')"))
struct S3AttachmentTests {
    /// A test server whose blob store is a fresh bucket on `moto`.
    func makeServer(_ moto: MotoServer) async throws -> (ServerFixture, S3BlobStore) {
        let server = try await ServerFixture.open {
            $0.attachments.store = .s3(S3Configuration(
                endpoint: moto.endpoint, bucket: "poolse-\(UUID().uuidString.prefix(8).lowercased())",
                accessKeyId: "test-key", secretAccessKey: "test-secret"))
        }
        let s3 = try #require(server.app.attachments.blobs as? S3BlobStore)
        try await s3.createBucket()
        return (server, s3)
    }

    @Test func uploadSendReceiveAndDownloadTheSameBytes() async throws {
        try await MotoServer.with { moto in
            let (server, _) = try await makeServer(moto)
            let events = await server.app.pubsub.subscribe()
            try await server.run { api in
                let (_, alice) = try await api.login("alice")
                let (_, bob) = try await api.login("bob")
                let group = try await api.createGroup(token: alice, members: ["bob"])
                let bytes = Data.random(count: 200_000)

                let requested = try await api.requestUpload(token: alice, contentType: "image/png", size: bytes.count,
                                                            filename: "photo.png")
                #expect(requested.upload.url.hasPrefix(moto.endpoint + "/"))
                #expect(requested.upload.url.contains("X-Amz-Signature="))
                #expect(requested.upload.headers == ["Content-Type": "image/png", "Content-Length": "200000",
                                                     "If-None-Match": "*"])
                let put = try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers, body: bytes)
                #expect(put.status == 200)

                let sent = try await api.sendAttachments([requested.attachment.id], to: group.id, token: alice)
                #expect(sent.status == 201, "\(String(decoding: sent.body, as: UTF8.self))")
                let linked = try #require(try sent.decode(Message.self).attachments?.first)
                #expect(linked.status == .ready)
                #expect(linked.sha256 == bytes.sha256Hex, "hashed by streaming the object when linking")
                let broadcast = try #require(await events.first { $0.event == RealtimeEvent.messageNew })
                let payload = try WireCoding.decoder.decode(Message.self, from: WireCoding.encoder.encode(broadcast.payload))
                #expect(payload.attachments?.first?.sha256 == bytes.sha256Hex)

                let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: bob)
                    .decode(DataList<Message>.self).data
                #expect(feed.first?.attachments?.first?.status == .ready)
                let download = try await api.downloadURL(linked.id, token: bob).decode(DownloadURLResponse.self)
                #expect(download.url.contains("response-content-disposition=attachment%3B%20filename%3D%22photo.png%22"))
                let got = try await BlobHTTP.get(download.url)
                #expect(got.status == 200)
                #expect(got.body.sha256Hex == bytes.sha256Hex)
                #expect(got.headers["content-type"] == "image/png")
                let part = try await BlobHTTP.get(download.url, headers: ["Range": "bytes=10-19"])
                #expect(part.status == 206)
                #expect(part.body == bytes[10..<20])
            }
        }
    }

    @Test func aSecondUploadIsRefusedAndTheFirstBytesStay() async throws {
        try await MotoServer.with { moto in
            let (server, _) = try await makeServer(moto)
            try await server.run { api in
                let (_, alice) = try await api.login("alice")
                let group = try await api.createGroup(token: alice, members: [])
                let bytes = Data.random(count: 4_096)
                let requested = try await api.requestUpload(token: alice, size: bytes.count)
                #expect(try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers, body: bytes).status == 200)
                let again = try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers,
                                                   body: Data.random(count: bytes.count))
                #expect(again.status == 412, "If-None-Match: * is signed into the URL")

                let message = try await api.sendAttachments([requested.attachment.id], to: group.id, token: alice)
                    .decode(Message.self)
                #expect(message.attachments?.first?.sha256 == bytes.sha256Hex)
                let url = try await api.downloadURL(requested.attachment.id, token: alice).decode(DownloadURLResponse.self).url
                #expect(try await BlobHTTP.get(url).body == bytes)
            }
        }
    }

    @Test func linkingChecksTheObjectAndAMismatchCanBeUploadedAgain() async throws {
        try await MotoServer.with { moto in
            let (server, s3) = try await makeServer(moto)
            try await server.run { api in
                let (_, alice) = try await api.login("alice")
                let group = try await api.createGroup(token: alice, members: [])
                let bytes = Data.random(count: 1_000)
                let requested = try await api.requestUpload(token: alice, size: bytes.count)
                let id = requested.attachment.id

                try await api.sendAttachments([id], to: group.id, token: alice).expectError(422, "validation_failed")
                try await api.downloadURL(id, token: alice).expectError(409, "conflict")

                // moto does not check signatures, so it stores a body of the wrong size; the
                // HEAD at link time catches it and removes the object.
                let wrong = try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers,
                                                   body: bytes.prefix(999))
                #expect(wrong.status == 200)
                let refused = try await api.sendAttachments([id], to: group.id, token: alice)
                refused.expectError(422, "validation_failed")
                #expect(try await s3.inspect(BlobDescriptor(requested.attachment)) == .missing)

                #expect(try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers, body: bytes).status == 200)
                let sent = try await api.sendAttachments([id], to: group.id, token: alice)
                #expect(sent.status == 201)
                #expect(try sent.decode(Message.self).attachments?.first?.sha256 == bytes.sha256Hex)
            }
        }
    }

    @Test func deletedAndUnsentAttachmentsLeaveTheBucket() async throws {
        try await MotoServer.with { moto in
            let (server, s3) = try await makeServer(moto)
            try await server.run { api in
                let (_, alice) = try await api.login("alice")
                let group = try await api.createGroup(token: alice, members: [])
                let sentOne = try await api.upload(Data("sent".utf8), token: alice)
                let unsent = try await api.upload(Data("unsent".utf8), token: alice)
                #expect(try await api.sendAttachments([sentOne.id], to: group.id, token: alice).status == 201)
                #expect(try await s3.inspect(BlobDescriptor(sentOne)) == .verified(sha256: Data("sent".utf8).sha256Hex))

                #expect(try await api.request(.delete, "/v1/attachments/\(sentOne.id)", token: alice).status == 204)
                #expect(try await s3.inspect(BlobDescriptor(sentOne)) == .missing)

                #expect(try await server.app.attachments.purge(now: Date().addingTimeInterval(2 * 86_400)) == 1)
                #expect(try await s3.inspect(BlobDescriptor(unsent)) == .missing)
            }
        }
    }
}
