import Foundation
import Testing
@testable import Poolse

@Suite("Retries and backoff")
struct RetryTests {
    @Test func serverErrorsAreRetriedUntilSuccess() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport([.error(503, code: "unavailable"), .error(500, code: "internal_error"),
                                       .json(200, Fixture.me)])
        let chat = makeClient(transport, sleeper: sleeper)

        let me = try await chat.me.show()

        #expect(me.externalId == "alice")
        #expect(await transport.requestCount == 3)
        #expect(sleeper.delays == [.milliseconds(250), .milliseconds(500)])
    }

    @Test func backoffIsFullJitterScaledByTheRandomSource() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .error(502, code: "bad_gateway"))
        let chat = makeClient(transport, sleeper: sleeper) { $0.random = { 0.5 } }
        _ = try? await chat.me.show()
        #expect(sleeper.delays == [.milliseconds(125), .milliseconds(250), .milliseconds(500)])
    }

    @Test func backoffIsCappedByMaxBackoff() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .error(500, code: "internal_error"))
        let chat = makeClient(transport, sleeper: sleeper) {
            $0.maxRetries = 5
            $0.baseBackoff = .seconds(1)
            $0.maxBackoff = .seconds(3)
        }
        _ = try? await chat.me.show()
        #expect(sleeper.delays == [.seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3)])
    }

    @Test func backoffFormulaDoesNotOverflowForLargeAttempts() {
        let policy = RetryPolicy(maxRetries: 1000, baseBackoff: .milliseconds(250), maxBackoff: .seconds(30),
                                 random: { 1 })
        #expect(policy.backoff(attempt: 0) == .milliseconds(250))
        #expect(policy.backoff(attempt: 3) == .seconds(2))
        #expect(policy.backoff(attempt: 7) == .seconds(30))  // 32 s capped
        #expect(policy.backoff(attempt: 10_000) == .seconds(30))
        let none = RetryPolicy(maxRetries: 1, baseBackoff: .seconds(1), maxBackoff: .seconds(30), random: { 0 })
        #expect(none.backoff(attempt: 4) == .zero)
    }

    @Test func givesUpAfterMaxRetriesWithTheLastServerError() async throws {
        let transport = MockTransport(fallback: .error(503, code: "unavailable"))
        let chat = makeClient(transport)

        let error = await #expect(throws: APIError.self) { try await chat.me.show() }

        #expect(error?.status == 503)
        #expect(error?.code == "unavailable")
        #expect(await transport.requestCount == 4)
    }

    @Test(arguments: [0, 1, 5])
    func attemptsAreMaxRetriesPlusOne(maxRetries: Int) async throws {
        let transport = MockTransport(fallback: .error(500, code: "internal_error"))
        let chat = makeClient(transport) { $0.maxRetries = maxRetries }
        _ = try? await chat.me.show()
        #expect(await transport.requestCount == maxRetries + 1)
    }

    @Test func networkErrorsAreRetriedThenSurfaceAsNetworkError() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .fail(URLError(.notConnectedToInternet)))
        let chat = makeClient(transport, sleeper: sleeper)

        let error = await #expect(throws: NetworkError.self) { try await chat.me.show() }

        #expect((error?.underlying as? URLError)?.code == .notConnectedToInternet)
        #expect(await transport.requestCount == 4)
        #expect(sleeper.delays.count == 3)
    }

    @Test func networkErrorFollowedBySuccessReturnsTheResult() async throws {
        let transport = MockTransport([.fail(URLError(.timedOut)), .json(200, Fixture.me)])
        let chat = makeClient(transport)
        #expect(try await chat.me.show().displayName == "Alice")
    }

    @Test func rateLimitWaitsForALongerRetryAfter() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport([.error(429, code: "rate_limited", headers: ["Retry-After": "5"]),
                                       .json(200, Fixture.me)])
        let chat = makeClient(transport, sleeper: sleeper)
        _ = try await chat.me.show()
        #expect(sleeper.delays == [.seconds(5)])
    }

    @Test func rateLimitUsesTheBackoffWhenRetryAfterIsShorter() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport([.error(429, code: "rate_limited", headers: ["retry-after": "1"]),
                                       .json(200, Fixture.me)])
        let chat = makeClient(transport, sleeper: sleeper) { $0.baseBackoff = .seconds(4) }
        _ = try await chat.me.show()
        #expect(sleeper.delays == [.seconds(4)])
    }

    @Test func exhaustedRateLimitThrowsRateLimitedErrorWithRetryAfter() async throws {
        let transport = MockTransport(fallback: .error(429, code: "rate_limited", headers: ["Retry-After": "2"]))
        let chat = makeClient(transport)

        let error = await #expect(throws: RateLimitedError.self) { try await chat.me.show() }

        #expect(error?.retryAfter == .seconds(2))
        #expect(error?.code == "rate_limited")
        #expect(await transport.requestCount == 4)
    }

    @Test func rateLimitWithoutRetryAfterReportsZero() async throws {
        let transport = MockTransport(fallback: .error(429, code: "rate_limited"))
        let chat = makeClient(transport) { $0.maxRetries = 0 }
        let error = await #expect(throws: RateLimitedError.self) { try await chat.me.show() }
        #expect(error?.retryAfter == .zero)
    }

    @Test func retryAfterBeyondMaxBackoffIsNotWaitedFor() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .error(429, code: "rate_limited", headers: ["Retry-After": "120"]))
        let chat = makeClient(transport, sleeper: sleeper)

        let error = await #expect(throws: RateLimitedError.self) { try await chat.me.show() }

        #expect(error?.retryAfter == .seconds(120))
        #expect(await transport.requestCount == 1)
        #expect(sleeper.delays.isEmpty)
    }

    @Test(arguments: [400, 403, 404, 409, 413, 422])
    func clientErrorsAreNotRetried(status: Int) async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .error(status, code: "some_code"))
        let chat = makeClient(transport, sleeper: sleeper)

        let error = await #expect(throws: APIError.self) { try await chat.me.show() }

        #expect(error?.status == status)
        #expect(await transport.requestCount == 1)
        #expect(sleeper.delays.isEmpty)
    }
}
