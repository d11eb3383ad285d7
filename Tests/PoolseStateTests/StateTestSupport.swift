import Foundation
import Poolse
import PoolseServer
import PoolseTestSupport


extension ServerFixture {
    /// An SDK client for `externalId` on node 0 that gives up quickly (one retry, 20 ms backoff),
    /// so tests of the offline store and outbox see failures at once.
    func client(for externalId: String, transport: (any HTTPTransport)? = nil) -> Poolse {
        var configuration = PoolseConfiguration(apiURL: url, maxRetries: 1, baseBackoff: .milliseconds(20)) { [self] in
            try await self.token(for: externalId)
        }
        if let transport { configuration.transport = transport }
        return Poolse(configuration)
    }
}

struct TemporaryStorePath {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-store-\(UUID().uuidString).sqlite").path
    func remove() {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// The transport seam: holds the answers of message POSTs until the test lets them go,
/// so a test can make the realtime echo arrive before the REST answer.
final class GatedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `isHolding` and `waiters` are only touched under the lock.
    private let inner = URLSessionTransport()
    private let lock = NSLock()
    private var isHolding = true
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var heldCount = 0

    var held: Int { locked { heldCount } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func release() {
        let waiting = locked {
            isHolding = false
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let response = try await inner.send(request)
        guard request.method == .post, request.url.path.hasSuffix("/messages") else { return response }
        await withCheckedContinuation { continuation in
            let resumeNow = locked {
                guard isHolding else { return true }
                heldCount += 1
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return response
    }
}

/// The server's main feed of a conversation, oldest first (every page).
func serverFeed(_ client: Poolse, _ conversationID: String) async throws -> [Message] {
    var all: [Message] = []
    var before: Int64?
    while true {
        let page = try await client.conversations.one(conversationID).messages.list(limit: 200, before: before).data
        all += page
        guard page.count == 200, let oldest = page.last?.sequence else { break }
        before = oldest
    }
    return all.reversed()
}
