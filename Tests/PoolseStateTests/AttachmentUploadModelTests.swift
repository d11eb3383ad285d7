import Foundation
@testable import PoolseState
import Testing
import PoolseTestSupport

/// The upload queue against a live server's local blob store.
@Suite("AttachmentUploadModel, live", .serialized)
@MainActor
struct AttachmentUploadModelTests {
    @Test func uploadsRunInOrderReportProgressAndCanBeCancelledAndRetried() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let session = PoolseSession(client: server.client(for: "alice"))
            defer { session.signOut() }
            let queue = AttachmentUploadModel(session: session)
            let small = queue.add(.init(data: Data(repeating: 1, count: 2_000), contentType: "image/png", filename: "a.png"))
            let large = queue.add(.init(data: Data(count: 20 << 20), contentType: "video/mp4"))
            #expect(queue.uploads.map(\.id) == [small, large])

            try await eventually("the first upload") { queue.attachmentIDs.count == 1 }
            try await eventually("the second upload to start") {
                if case .uploading = queue.uploads[1].state { true } else { false }
            }
            queue.cancel(large)
            #expect({ if case .cancelled = queue.uploads[1].state { true } else { false } }())

            queue.retry(large)
            try await eventually("the retried upload", timeout: .seconds(60)) { queue.attachmentIDs.count == 2 }
            queue.remove(small)
            #expect(queue.uploads.map(\.id) == [large])
        }
    }
}
