import Foundation
import Testing
@testable import Poolse

@Suite("Cancellation")
struct CancellationTests {
    @Test func cancellingDuringTheBackoffSleepStopsWithCancellationError() async throws {
        let sleeping = Gate()
        let transport = MockTransport(fallback: .error(503, code: "unavailable"))
        let chat = makeClient(transport) {
            $0.sleep = { _ in
                sleeping.open()
                try await suspendUntilCancelled()
            }
        }

        let call = Task { try await chat.me.show() }
        await sleeping.wait()
        call.cancel()

        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await transport.requestCount == 1)
    }

    @Test func cancellingAnInFlightRequestStopsWithCancellationError() async throws {
        let transport = MockTransport([.hang])
        let chat = makeClient(transport)

        let call = Task { try await chat.conversations.list() }
        await transport.received.wait()
        call.cancel()

        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await transport.requestCount == 1)
    }

    @Test func urlSessionCancellationIsUnwrappedAndNeverRetried() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .fail(URLError(.cancelled)))
        let chat = makeClient(transport, sleeper: sleeper)

        await #expect(throws: CancellationError.self) { try await chat.me.show() }

        #expect(await transport.requestCount == 1)
        #expect(sleeper.delays.isEmpty)
    }

    @Test func anyTransportErrorAfterCancellationCountsAsCancellation() async throws {
        // Some transports notice cancellation late and fail with their own error.
        let transport = MockTransport([.hangThenFail(URLError(.timedOut))])
        let chat = makeClient(transport)
        let call = Task { try await chat.me.show() }
        await transport.received.wait()
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await transport.requestCount == 1)
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let start = Gate()
        let transport = MockTransport(fallback: .json(200, Fixture.me))
        let chat = makeClient(transport)

        let call = Task {
            await start.wait()
            return try await chat.me.show()
        }
        call.cancel()
        start.open()

        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await transport.requestCount == 0)
    }

    @Test func cancellingWhileWaitingForTheTokenStopsAtOnce() async throws {
        let fetching = Gate()
        let transport = MockTransport(fallback: .json(200, Fixture.me))
        let chat = makeClient(transport, getToken: {
            fetching.open()
            try await suspendUntilCancelled()
            return "never"
        })

        let call = Task { try await chat.me.show() }
        await fetching.wait()
        call.cancel()

        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await transport.requestCount == 0)
    }

    @Test func cancelledCallerLeavesASharedTokenRefreshWithoutStoppingOthers() async throws {
        let release = Gate()
        let calls = Locked(0)
        let cache = TokenCache(fetch: {
            calls.withLock { $0 += 1 }
            await release.wait()
            return "shared"
        }, now: { Date() })

        let leaving = Task { try await cache.token() }
        let staying = Task { try await cache.token() }
        await eventually { await cache.waitingCallers() == 2 }
        leaving.cancel()
        await #expect(throws: CancellationError.self) { try await leaving.value }
        release.open()

        #expect(try await staying.value == "shared")
        #expect(calls.withLock { $0 } == 1)
    }
}
