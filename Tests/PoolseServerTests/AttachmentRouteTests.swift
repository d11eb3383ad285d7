import Foundation
import PoolseTestSupport
import PoolseWire
import Testing

@testable import PoolseServer

/// Attachments on the default local store, over real HTTP: the JSON routes and the
/// server's own signed `/blobs/:id` URLs.
@Suite("Attachments")
struct AttachmentRouteTests {
    @Test func uploadSendReceiveAndDownloadTheSameBytes() async throws {
        let server = try await ServerFixture.open()
        let events = await server.app.pubsub.subscribe()
        try await server.run { api in
            let (alice, aliceToken) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: aliceToken, members: ["bob"])
            let bytes = Data.random(count: 300_000)

            let requested = try await api.requestUpload(token: aliceToken, contentType: "image/png", size: bytes.count,
                                                        filename: "Ünïcode photo.png")
            #expect(requested.attachment.status == .pending)
            #expect(requested.attachment.messageId == nil)
            #expect(requested.attachment.senderId == alice.id)
            #expect(requested.upload.method == "put")
            #expect(requested.upload.headers["Content-Type"] == "image/png")
            #expect(requested.upload.headers["Content-Length"] == "300000")
            let put = try await BlobHTTP.put(requested.upload.url, headers: requested.upload.headers, body: bytes)
            #expect(put.status == 200)
            #expect(try WireCoding.decoder.decode(PoolseWire.Attachment.self, from: put.body).sha256 == bytes.sha256Hex)

            let sent = try await api.sendAttachments([requested.attachment.id], to: group.id, token: aliceToken)
            #expect(sent.status == 201, "\(String(decoding: sent.body, as: UTF8.self))")
            let message = try sent.decode(Message.self)
            #expect(message.body == nil)
            let linked = try #require(message.attachments?.first)
            #expect(message.attachments?.count == 1)
            #expect(linked.status == .ready)
            #expect(linked.messageId == message.id)
            #expect(linked.sha256 == bytes.sha256Hex)
            #expect(linked.originalFilename == "Ünïcode photo.png")

            let broadcast = try #require(await events.first { $0.event == RealtimeEvent.messageNew })
            let payload = try WireCoding.decoder.decode(Message.self, from: WireCoding.encoder.encode(broadcast.payload))
            #expect(payload.attachments?.map(\.id) == [linked.id])
            #expect(payload.attachments?.first?.status == .ready)

            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: bob)
                .decode(DataList<Message>.self).data
            #expect(feed.first?.attachments?.first?.id == linked.id)
            let conversation = try await api.request(.get, "/v1/conversations/\(group.id)", token: bob)
                .decode(Conversation.self)
            #expect(conversation.lastMessagePreview == "📎 Attachment")

            let link = try await api.downloadURL(linked.id, token: bob)
            #expect(link.status == 200)
            let download = try link.decode(DownloadURLResponse.self)
            #expect(download.method == "get")
            let got = try await BlobHTTP.get(download.url)
            #expect(got.status == 200)
            #expect(got.body.sha256Hex == bytes.sha256Hex)
            #expect(got.headers["content-type"] == "image/png")
            #expect(got.headers["content-length"] == "300000")
            #expect(got.headers["content-disposition"]
                == "attachment; filename=\"_n_code photo.png\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20photo.png")
            #expect(got.headers["x-content-type-options"] == "nosniff")
            #expect(got.headers["accept-ranges"] == "bytes")
        }
    }

    @Test func aFileAtTheDefaultLimitStreamsThrough() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let limit = Int(Limits().maxAttachmentBytes)
            var pattern = [UInt8](repeating: 0, count: limit)
            for index in stride(from: 0, to: limit, by: 4_096) { pattern[index] = UInt8(truncatingIfNeeded: index / 4_096 + 1) }
            let bytes = Data(pattern)
            try await api.request(.post, "/v1/attachments/upload-url", token: alice,
                                  json: ["content_type": "video/mp4", "byte_size": .number(Double(limit + 1))])
                .expectError(413, "attachment_too_large")
            let attachment = try await api.upload(bytes, token: alice, contentType: "video/mp4")
            let message = try await api.sendAttachments([attachment.id], to: group.id, token: alice).decode(Message.self)
            #expect(message.attachments?.first?.sha256 == bytes.sha256Hex)
            let url = try await api.downloadURL(attachment.id, token: alice).decode(DownloadURLResponse.self).url
            #expect(try await BlobHTTP.get(url).body.sha256Hex == bytes.sha256Hex)
        }
    }

    @Test func rangeRequestsServeParts() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let bytes = Data.random(count: 1_000)
            let attachment = try await api.upload(bytes, token: alice)
            #expect(try await api.sendAttachments([attachment.id], to: group.id, token: alice, body: "see").status == 201)
            let url = try await api.downloadURL(attachment.id, token: alice).decode(DownloadURLResponse.self).url

            let head = try await BlobHTTP.get(url, headers: ["Range": "bytes=0-9"])
            #expect(head.status == 206)
            #expect(head.body == bytes[0..<10])
            #expect(head.headers["content-range"] == "bytes 0-9/1000")
            let tail = try await BlobHTTP.get(url, headers: ["Range": "bytes=-100"])
            #expect(tail.status == 206)
            #expect(tail.body == bytes[900..<1000])
            let open = try await BlobHTTP.get(url, headers: ["Range": "bytes=990-"])
            #expect(open.body == bytes[990..<1000])
            #expect(open.headers["content-range"] == "bytes 990-999/1000")
            let outside = try await BlobHTTP.get(url, headers: ["Range": "bytes=1000-"])
            #expect(outside.status == 416)
            #expect(outside.headers["content-range"] == "bytes */1000")
            let several = try await BlobHTTP.get(url, headers: ["Range": "bytes=0-1,5-6"])
            #expect(several.status == 200)
            #expect(several.body == bytes)
        }
    }

    @Test func badUploadsGetClearErrorsAndNeverReplaceStoredBytes() async throws {
        let server = try await ServerFixture.open()
        let local = try #require(server.app.attachments.blobs as? LocalBlobStore)
        try await server.run { api in
            let (_, alice) = try await api.login("alice")
            let bytes = Data.random(count: 50_000)
            let requested = try await api.requestUpload(token: alice, contentType: "text/plain", size: bytes.count)
            let url = requested.upload.url
            let headers = requested.upload.headers

            let short = try await BlobHTTP.put(url, headers: headers.merging(["Content-Length": "10"]) { $1 }, body: bytes.prefix(10))
            #expect(short.status == 400)
            #expect(short.errorCode == "size_mismatch")
            let streamedShort = try await BlobHTTP.put(url, headers: headers, body: bytes.prefix(40_000), chunked: true)
            #expect(streamedShort.errorCode == "size_mismatch")
            let streamedLong = try await BlobHTTP.put(url, headers: headers, body: bytes + Data(count: 20_000), chunked: true)
            #expect(streamedLong.status == 400)
            #expect(streamedLong.errorCode == "size_mismatch")
            let wrongType = try await BlobHTTP.put(url, headers: headers.merging(["Content-Type": "image/png"]) { $1 }, body: bytes)
            #expect(wrongType.status == 400)
            #expect(wrongType.errorCode == "bad_request")
            let withAuthorization = try await BlobHTTP.put(url, headers: headers.merging(["Authorization": "Bearer \(alice)"]) { $1 },
                                                           body: bytes)
            #expect(withAuthorization.status == 400)

            let tampered = url.replacingOccurrences(of: "signature=", with: "signature=A")
            #expect(try await BlobHTTP.put(tampered, headers: headers, body: bytes).errorCode == "signature_invalid")
            let unsigned = String(url.prefix(while: { $0 != "?" }))
            #expect(try await BlobHTTP.put(unsigned, headers: headers, body: bytes).errorCode == "signature_invalid")
            let laterExpiry = url.replacingOccurrences(of: "expires=", with: "expires=9")
            #expect(try await BlobHTTP.put(laterExpiry, headers: headers, body: bytes).errorCode == "signature_invalid")
            let downloadSignature = try local.downloadURL(for: BlobDescriptor(
                key: "", attachmentId: requested.attachment.id, contentType: "", byteSize: 0, filename: nil),
                expiresAt: Date().addingTimeInterval(60), baseURL: "")
            let crossUse = String(url.prefix(while: { $0 != "?" })) + downloadSignature.drop(while: { $0 != "?" })
            #expect(try await BlobHTTP.put(crossUse, headers: headers, body: bytes).errorCode == "signature_invalid",
                    "a GET signature does not allow a PUT")
            let expired = String(url.prefix(while: { $0 != "?" })) + "?"
                + local.signer.query(.put, attachmentId: requested.attachment.id, expiresAt: Date().addingTimeInterval(-5))
            let expiredResult = try await BlobHTTP.put(expired, headers: headers, body: bytes)
            #expect(expiredResult.status == 403)
            #expect(expiredResult.errorCode == "signature_expired")

            let good = try await BlobHTTP.put(url, headers: headers, body: bytes)
            #expect(good.status == 200)
            let again = try await BlobHTTP.put(url, headers: headers, body: Data.random(count: bytes.count))
            #expect(again.status == 409)
            #expect(again.errorCode == "conflict")

            let download = try await api.downloadURL(requested.attachment.id, token: alice).decode(DownloadURLResponse.self)
            #expect(try await BlobHTTP.get(download.url).body == bytes, "the first complete upload is what is stored")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: local.directory + "/.incoming")
            #expect(leftovers.isEmpty, "failed uploads leave no temporary files")
        }
    }

    @Test func uploadRequestsAreValidatedAndLimited() async throws {
        try await ServerFixture.open { $0.limits.maxAttachmentBytes = 1_000 }.run { api in
            let (_, alice) = try await api.login("alice")
            let path = "/v1/attachments/upload-url"
            try await api.request(.post, path, token: alice, json: ["content_type": "image/png", "byte_size": 1_001])
                .expectError(413, "attachment_too_large")
            #expect(try await api.request(.post, path, token: alice,
                                          json: ["content_type": "image/png", "byte_size": 1_000]).status == 201)
            try await api.request(.post, path, token: alice, json: ["content_type": "image/png", "byte_size": -1])
                .expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["content_type": "png", "byte_size": 10])
                .expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["content_type": "text/plain\r\nX-Evil: 1", "byte_size": 10])
                .expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["byte_size": 10]).expectError(422, "validation_failed")
            try await api.request(.post, path, token: alice, json: ["content_type": "image/png", "byte_size": "ten"])
                .expectError(400, "bad_request")
            try await api.request(.post, path, token: alice,
                                  json: ["content_type": "image/png", "byte_size": 1, "original_filename": "a\nb"])
                .expectError(422, "validation_failed")
            try await api.request(.post, path, json: ["content_type": "image/png", "byte_size": 1])
                .expectError(401, "unauthorized")
        }
    }

    @Test func onlyTheSendersOwnUploadedAttachmentsCanBeLinked() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let mine = try await api.upload(Data("mine".utf8), token: alice)
            let bobs = try await api.upload(Data("bob's".utf8), token: bob)
            let notUploaded = try await api.requestUpload(token: alice, size: 5).attachment

            try await api.sendAttachments([bobs.id], to: group.id, token: alice).expectError(422, "validation_failed")
            try await api.sendAttachments([mine.id, notUploaded.id], to: group.id, token: alice)
                .expectError(422, "validation_failed")
            try await api.sendAttachments([UUID().uuidString.lowercased()], to: group.id, token: alice)
                .expectError(422, "validation_failed")
            try await api.sendAttachments(["not-a-uuid"], to: group.id, token: alice).expectError(422, "validation_failed")
            let eleven = (0..<11).map { _ in mine.id }
            try await api.sendAttachments(eleven, to: group.id, token: alice).expectError(422, "validation_failed")

            // The failed sends linked nothing: the valid attachment is still free to use, once.
            let sent = try await api.sendAttachments([mine.id, mine.id], to: group.id, token: alice, body: "twice listed")
            #expect(sent.status == 201)
            #expect(try sent.decode(Message.self).attachments?.map(\.id) == [mine.id])
            try await api.sendAttachments([mine.id], to: group.id, token: alice).expectError(422, "validation_failed")
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(feed.count == 1, "failed sends store no message")
        }
    }

    @Test func attachmentsKeepTheOrderTheyWereSentIn() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            var ids: [String] = []
            for index in 0..<10 { ids.append(try await api.upload(Data("file \(index)".utf8), token: alice).id) }
            let shuffled = ids.shuffled()
            let message = try await api.sendAttachments(shuffled, to: group.id, token: alice).decode(Message.self)
            #expect(message.attachments?.map(\.id) == shuffled)
            let reread = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(reread.first?.attachments?.map(\.id) == shuffled)
            let conversation = try await api.request(.get, "/v1/conversations/\(group.id)", token: alice).decode(Conversation.self)
            #expect(conversation.lastMessagePreview == "📎 10 attachments")
        }
    }

    @Test func downloadURLsFollowVisibility() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let (_, carol) = try await api.login("carol")
            let group = try await api.createGroup(token: alice, members: ["bob"])

            let pending = try await api.requestUpload(token: alice, size: 3)
            try await api.downloadURL(pending.attachment.id, token: alice).expectError(409, "conflict")
            _ = try await BlobHTTP.put(pending.upload.url, headers: pending.upload.headers, body: Data("abc".utf8))
            #expect(try await api.downloadURL(pending.attachment.id, token: alice).status == 200,
                    "the uploader may fetch an unsent upload")
            try await api.downloadURL(pending.attachment.id, token: bob).expectError(404, "not_found")

            #expect(try await api.sendAttachments([pending.attachment.id], to: group.id, token: alice).status == 201)
            #expect(try await api.downloadURL(pending.attachment.id, token: bob).status == 200)
            try await api.downloadURL(pending.attachment.id, token: carol).expectError(404, "not_found")
            try await api.downloadURL("nope", token: bob).expectError(400, "bad_request")
            try await api.downloadURL(UUID().uuidString.lowercased(), token: bob).expectError(404, "not_found")

            let other = try await api.login("dave", apiKey: try await api.server.makeTenant())
            try await api.downloadURL(pending.attachment.id, token: other.token).expectError(404, "not_found")
        }
    }

    @Test func deletingFollowsTheRulesAndUpdatesTheMessage() async throws {
        let server = try await ServerFixture.open()
        let events = await server.app.pubsub.subscribe()
        try await server.run { api in
            let (_, alice) = try await api.login("alice")
            let (_, bob) = try await api.login("bob")
            let (_, carol) = try await api.login("carol")
            let group = try await api.createGroup(token: bob, members: ["alice", "carol"])

            let pending = try await api.upload(Data("pending".utf8), token: alice)
            try await api.request(.delete, "/v1/attachments/\(pending.id)", token: bob).expectError(404, "not_found")
            #expect(try await api.request(.delete, "/v1/attachments/\(pending.id)", token: alice).status == 204)
            try await api.sendAttachments([pending.id], to: group.id, token: alice).expectError(422, "validation_failed")
            try await api.request(.delete, "/v1/attachments/\(pending.id)", token: alice).expectError(404, "not_found")

            let first = try await api.upload(Data("first".utf8), token: alice)
            let second = try await api.upload(Data("second".utf8), token: alice)
            let message = try await api.sendAttachments([first.id, second.id], to: group.id, token: alice, body: "two")
                .decode(Message.self)
            let firstURL = try await api.downloadURL(first.id, token: carol).decode(DownloadURLResponse.self).url
            try await api.request(.delete, "/v1/attachments/\(first.id)", token: carol).expectError(403, "forbidden")
            #expect(try await api.request(.delete, "/v1/attachments/\(first.id)", token: bob).status == 204, "the owner may")
            #expect(try await BlobHTTP.get(firstURL).status == 404, "a URL handed out earlier stops working")
            #expect(try await api.request(.delete, "/v1/attachments/\(second.id)", token: alice).status == 204, "the sender may")

            let updates = try #require(await events.first { $0.event == RealtimeEvent.messageUpdated })
            let updated = try WireCoding.decoder.decode(Message.self, from: WireCoding.encoder.encode(updates.payload))
            #expect(updated.id == message.id)
            #expect(updated.attachments?.map(\.id) == [second.id])
            let reread = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: carol)
                .decode(DataList<Message>.self).data
            #expect(reread.first?.attachments == [])
        }
    }

    @Test func aDeletedMessagesAttachmentsBecomeUnreachableAndTheirBytesGo() async throws {
        let server = try await ServerFixture.open()
        let local = try #require(server.app.attachments.blobs as? LocalBlobStore)
        try await server.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let attachment = try await api.upload(Data.random(count: 2_000), token: alice)
            let message = try await api.sendAttachments([attachment.id], to: group.id, token: alice).decode(Message.self)
            let url = try await api.downloadURL(attachment.id, token: alice).decode(DownloadURLResponse.self).url
            let file = try local.path(forKey: BlobDescriptor(attachment).key)
            #expect(FileManager.default.fileExists(atPath: file))

            #expect(try await api.request(.delete, "/v1/messages/\(message.id)", token: alice).status == 204)
            #expect(try await BlobHTTP.get(url).status == 404)
            try await api.downloadURL(attachment.id, token: alice).expectError(404, "not_found")
            try await api.request(.delete, "/v1/attachments/\(attachment.id)", token: alice).expectError(404, "not_found")
            let feed = try await api.request(.get, "/v1/conversations/\(group.id)/messages", token: alice)
                .decode(DataList<Message>.self).data
            #expect(feed.first?.deletedAt != nil)
            #expect(feed.first?.attachments == [])

            #expect(try await server.app.attachments.purge() == 1)
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }

    @Test func uploadsNeverSentAreCleanedUpAfterTheirLifetime() async throws {
        let server = try await ServerFixture.open {
            $0.attachments.pendingLifetime = 60
            $0.attachments.uploadURLLifetime = 60
        }
        let local = try #require(server.app.attachments.blobs as? LocalBlobStore)
        try await server.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let unsent = try await api.upload(Data("forgotten".utf8), token: alice)
            let sentOne = try await api.upload(Data("sent".utf8), token: alice)
            #expect(try await api.sendAttachments([sentOne.id], to: group.id, token: alice).status == 201)
            let file = try local.path(forKey: BlobDescriptor(unsent).key)

            #expect(try await server.app.attachments.purge() == 0, "nothing is due yet")
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(try await server.app.attachments.purge(now: Date().addingTimeInterval(120)) == 1)
            #expect(!FileManager.default.fileExists(atPath: file))
            try await api.downloadURL(unsent.id, token: alice).expectError(404, "not_found")
            try await api.sendAttachments([unsent.id], to: group.id, token: alice).expectError(422, "validation_failed")
            #expect(try await api.downloadURL(sentOne.id, token: alice).status == 200, "sent attachments stay")
        }
    }

    @Test func idempotentUploadRequestsReplay() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            // Raw bytes: a retry resends the same body, and encoding a dictionary twice may order keys differently.
            let body = Data(#"{"content_type":"image/png","byte_size":10}"#.utf8)
            let first = try await api.request(.post, "/v1/attachments/upload-url", token: alice, raw: body,
                                              headers: ["Idempotency-Key": "k1"])
            let again = try await api.request(.post, "/v1/attachments/upload-url", token: alice, raw: body,
                                              headers: ["Idempotency-Key": "k1"])
            #expect(first.status == 201)
            #expect(again.header("Idempotent-Replayed") == "true")
            #expect(try again.decode(AttachmentUploadResponse.self) == first.decode(AttachmentUploadResponse.self))
        }
    }
}

@Suite("Blob helpers")
struct BlobHelperTests {
    @Test func byteRangesParseLikeRFC9110() {
        #expect(ByteRange.parse(nil, size: 10) == .whole)
        #expect(ByteRange.parse("bytes=0-4", size: 10) == .part(0...4))
        #expect(ByteRange.parse("bytes=5-", size: 10) == .part(5...9))
        #expect(ByteRange.parse("bytes=5-100", size: 10) == .part(5...9))
        #expect(ByteRange.parse("bytes=-3", size: 10) == .part(7...9))
        #expect(ByteRange.parse("bytes=-30", size: 10) == .part(0...9))
        #expect(ByteRange.parse("bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-0", size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-0", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=4-2", size: 10) == .whole)
        #expect(ByteRange.parse("bytes=0-1,4-5", size: 10) == .whole)
        #expect(ByteRange.parse("items=0-1", size: 10) == .whole)
    }

    @Test func contentDispositionIsSafeForAnyName() {
        #expect(ContentDisposition.attachment(filename: nil) == "attachment")
        #expect(ContentDisposition.attachment(filename: "a.txt") == "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt")
        #expect(ContentDisposition.attachment(filename: "say \"hi\".txt")
            == "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt")
        #expect(ContentDisposition.attachment(filename: "日本.pdf")
            == "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf")
    }

    @Test func contentTypesMustBeMIMETypes() throws {
        #expect(try AttachmentService.checkedContentType(" text/plain; charset=utf-8 ", maxLength: 255)
            == "text/plain; charset=utf-8")
        for bad in ["", "text", "text/", "/plain", "te xt/plain", "text/plain\r\nX: y", "täxt/plain"] {
            #expect(throws: DomainError.self) { try AttachmentService.checkedContentType(bad, maxLength: 255) }
        }
        #expect(throws: DomainError.self) {
            try AttachmentService.checkedContentType("a/" + String(repeating: "b", count: 300), maxLength: 255)
        }
    }
}
