import Foundation
import Testing
@testable import Poolse

/// A `userResolver` that counts calls per id and can be held at a gate.
final class ResolverSpy: Sendable {
    private let state = Locked<[String: Int]>([:])
    private let profiles: [String: PoolseUserProfile]
    let gate: Gate?

    init(_ profiles: [String: PoolseUserProfile], gate: Gate? = nil) {
        self.profiles = profiles
        self.gate = gate
    }

    func calls(_ id: String) -> Int { state.withLock { $0[id, default: 0] } }

    var resolve: @Sendable (String) async throws -> PoolseUserProfile? {
        { [self] id in
            state.withLock { $0[id, default: 0] += 1 }
            await gate?.wait()
            return profiles[id]
        }
    }
}

/// Collects what a listener receives.
final class ListenerLog: Sendable {
    private let log = Locked<[UserProfileLookup]>([])
    var received: [UserProfileLookup] { log.withLock { $0 } }
    var listener: UsersResource.Listener { { [log] lookup in log.withLock { $0.append(lookup) } } }
}

@Suite("User profile cache")
struct UsersResourceTests {
    let alice = PoolseUserProfile(displayName: "Alice", avatarURL: URL(string: "https://img.example.test/a.png"))

    func makeUsers(_ spy: ResolverSpy?) -> UsersResource {
        makeClient(MockTransport()) { $0.userResolver = spy?.resolve }.users
    }

    @Test func peekIsNotFetchedUntilGetResolves() async throws {
        let users = makeUsers(ResolverSpy(["alice": alice]))
        #expect(users.peek("alice") == .notFetched)
        #expect(try await users.get("alice") == alice)
        #expect(users.peek("alice") == .found(alice))
        #expect(users.peek("alice").profile == alice)
    }

    @Test func resolvedProfilesAreCached() async throws {
        let spy = ResolverSpy(["alice": alice])
        let users = makeUsers(spy)
        _ = try await users.get("alice")
        _ = try await users.get("alice")
        #expect(spy.calls("alice") == 1)
    }

    @Test func resolverNilIsCachedAsNotFound() async throws {
        let spy = ResolverSpy([:])
        let users = makeUsers(spy)
        #expect(try await users.get("ghost") == nil)
        #expect(users.peek("ghost") == .notFound)
        #expect(try await users.get("ghost") == nil)
        #expect(spy.calls("ghost") == 1)
    }

    @Test func concurrentGetsForOneIDShareOneResolverCall() async throws {
        let gate = Gate()
        let spy = ResolverSpy(["alice": alice, "bob": PoolseUserProfile(displayName: "Bob")], gate: gate)
        let users = makeUsers(spy)

        let callers = 10
        try await withThrowingTaskGroup(of: PoolseUserProfile?.self) { group in
            for index in 0..<(2 * callers) {
                group.addTask { try await users.get(index.isMultiple(of: 2) ? "alice" : "bob") }
            }
            await eventually {
                let alices = await users.waitingCallers(for: "alice")
                let bobs = await users.waitingCallers(for: "bob")
                return alices == callers && bobs == callers
            }
            gate.open()
            var names: [String?] = []
            for try await profile in group { names.append(profile?.displayName) }
            #expect(names.filter { $0 == "Alice" }.count == callers)
            #expect(names.filter { $0 == "Bob" }.count == callers)
        }
        #expect(spy.calls("alice") == 1)
        #expect(spy.calls("bob") == 1)
    }

    @Test func withoutAResolverGetReturnsNilAndCachesNothing() async throws {
        let users = makeUsers(nil)
        #expect(try await users.get("alice") == nil)
        #expect(users.peek("alice") == .notFetched)
    }

    @Test func resolverErrorsReachTheCallerAndAreNotCached() async throws {
        let calls = Locked(0)
        let alice = self.alice
        let users = makeClient(MockTransport()) {
            $0.userResolver = { _ in
                if calls.withLock({ $0 += 1; return $0 }) == 1 { throw SomeTestError() }
                return alice
            }
        }.users
        await #expect(throws: SomeTestError.self) { try await users.get("alice") }
        #expect(users.peek("alice") == .notFetched)
        #expect(try await users.get("alice") == alice)
    }

    @Test func subscribersHearResolutionsAndInvalidationsUntilTheyUnsubscribe() async throws {
        let users = makeUsers(ResolverSpy(["alice": alice]))
        let log = ListenerLog()
        let otherLog = ListenerLog()
        let off = users.subscribe("alice", log.listener)
        _ = users.subscribe("bob", otherLog.listener)

        _ = try await users.get("alice")
        users.invalidate("alice")
        off()
        off()  // a second call is harmless
        _ = try await users.get("alice")

        #expect(log.received == [.found(alice), .notFetched])
        #expect(otherLog.received.isEmpty)
    }

    @Test func invalidateMakesTheNextGetAskTheResolverAgain() async throws {
        let spy = ResolverSpy(["alice": alice, "bob": PoolseUserProfile(displayName: "Bob")])
        let users = makeUsers(spy)
        _ = try await users.get("alice")
        _ = try await users.get("bob")

        users.invalidate("alice")

        #expect(users.peek("alice") == .notFetched)
        #expect(users.peek("bob") == .found(PoolseUserProfile(displayName: "Bob")))
        _ = try await users.get("alice")
        #expect(spy.calls("alice") == 2)
    }

    @Test func invalidateAllForgetsEveryoneAndTellsSubscribers() async throws {
        let spy = ResolverSpy(["alice": alice])
        let users = makeUsers(spy)
        let log = ListenerLog()
        _ = try await users.get("alice")
        _ = try await users.get("nobody")
        _ = users.subscribe("alice", log.listener)

        users.invalidateAll()

        #expect(users.peek("alice") == .notFetched)
        #expect(users.peek("nobody") == .notFetched)
        #expect(log.received == [.notFetched])
        _ = try await users.get("alice")
        #expect(spy.calls("alice") == 2)
    }

    @Test func aResolutionThatStartedBeforeInvalidateIsNotCached() async throws {
        let gate = Gate()
        let users = makeUsers(ResolverSpy(["alice": alice], gate: gate))
        let pending = Task { try await users.get("alice") }
        await eventually { await users.waitingCallers(for: "alice") == 1 }

        users.invalidate("alice")
        gate.open()

        #expect(try await pending.value == alice)  // the caller still gets its answer
        #expect(users.peek("alice") == .notFetched)
    }

    @Test func changesStreamYieldsEachChange() async throws {
        let users = makeUsers(ResolverSpy(["alice": alice]))
        let stream = users.changes(of: "alice")
        _ = try await users.get("alice")
        users.invalidate("alice")
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == .found(alice))
        #expect(await iterator.next() == .notFetched)
    }
}
