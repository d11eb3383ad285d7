import Foundation
@testable import PoolseState
import Testing
import PoolseTestSupport

/// Profiles come from the app's resolver, not the server: no server needed here.
@Suite("UserProfileModel")
@MainActor
struct UserProfileModelTests {
    @Test func aProfileResolvesOnceAndFollowsInvalidation() async throws {
        let calls = Counter()
        let client = Poolse(PoolseConfiguration(
            apiURL: URL(string: "http://127.0.0.1:9")!, transport: NoNetwork(),
            userResolver: { id in
                calls.increment()
                return PoolseUserProfile(displayName: "Name of \(id)")
            },
            getToken: { nil }))
        let session = PoolseSession(client: client)
        defer { session.signOut() }
        let first = UserProfileModel(session: session, externalID: "bob")
        #expect(first.lookup == .notFetched)
        await first.load()
        #expect(first.profile?.displayName == "Name of bob")

        let second = UserProfileModel(session: session, externalID: "bob")
        #expect(second.profile?.displayName == "Name of bob", "cached, shown at once")
        await second.load()
        #expect(calls.value == 1)

        client.users.invalidate("bob")
        try await eventually("the invalidation") { first.lookup == .notFetched && second.lookup == .notFetched }
    }
}

/// The transport seam: every request fails at once, as without a network. (A real
/// URLSession request cancelled while it fails can trip a FoundationNetworking assertion
/// on Linux; this test is about profiles, not the network.)
struct NoNetwork: HTTPTransport {
    func send(_ request: TransportRequest) async throws -> TransportResponse {
        throw URLError(.notConnectedToInternet)
    }
}

final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under the lock.
    private let lock = NSLock()
    private var count = 0

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
}
