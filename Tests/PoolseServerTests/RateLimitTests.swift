import Foundation
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Rate limits (PROTOCOL.md §4.3)")
struct RateLimitTests {
    final class FakeTime: @unchecked Sendable {
        // Only touched from the limiter's actor in these tests.
        var now: TimeInterval = 1_000
    }

    @Test func bucketRefillsAtTheConfiguredRate() async {
        var limits = RateLimits()
        limits.writes = Rate(perSecond: 2, burst: 3)
        let time = FakeTime()
        let limiter = RateLimiter(limits: limits, now: { time.now })
        for _ in 0..<3 { #expect(await limiter.acquire(caller: "u", rateClass: .writes) == nil) }
        #expect(await limiter.acquire(caller: "u", rateClass: .writes) == 1)
        #expect(await limiter.acquire(caller: "other", rateClass: .writes) == nil, "callers have their own buckets")
        #expect(await limiter.acquire(caller: "u", rateClass: .reads) == nil, "classes have their own buckets")
        time.now += 0.5
        #expect(await limiter.acquire(caller: "u", rateClass: .writes) == nil)
        #expect(await limiter.acquire(caller: "u", rateClass: .writes) != nil)
    }

    @Test func retryAfterIsWholeSecondsUntilATokenReturns() async {
        var limits = RateLimits()
        limits.writes = Rate(perSecond: 0.2, burst: 1)
        let time = FakeTime()
        let limiter = RateLimiter(limits: limits, now: { time.now })
        #expect(await limiter.acquire(caller: "u", rateClass: .writes) == nil)
        #expect(await limiter.acquire(caller: "u", rateClass: .writes) == 5)
    }

    @Test func overTheLimitIs429WithRetryAfter() async throws {
        try await ServerFixture.open { $0.rateLimits.writes = Rate(perSecond: 0.01, burst: 2) }.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            _ = try await api.request(.post, path, token: alice, json: ["body": "1"])
            let limited = try await api.request(.post, path, token: alice, json: ["body": "2"])
            limited.expectError(429, "rate_limited")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(try await api.request(.get, path, token: alice).status == 200, "reads are a separate class")
        }
    }
}
