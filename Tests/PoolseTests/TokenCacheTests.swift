import Foundation
import Testing
@testable import Poolse

@Suite("Token cache")
struct TokenCacheTests {
    let clock = ManualClock()

    @Test func jwtIsReusedUntilThirtySecondsBeforeItExpires() async throws {
        let jwt = makeJWT(expiresAt: clock.now.addingTimeInterval(3600))
        let source = TokenSource([jwt, "second"])
        let cache = TokenCache(fetch: source.getToken, now: clock.reader)

        #expect(try await cache.token() == jwt)
        clock.advance(by: 3569)
        #expect(try await cache.token() == jwt)
        #expect(source.calls == 1)

        clock.advance(by: 1)  // exactly 30 s before exp
        #expect(try await cache.token() == "second")
        #expect(source.calls == 2)
    }

    @Test func concurrentCallersShareOneInFlightRefresh() async throws {
        let gate = Gate()
        let calls = Locked(0)
        let cache = TokenCache(fetch: {
            calls.withLock { $0 += 1 }
            await gate.wait()
            return "shared"
        }, now: clock.reader)

        let callers = 20
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<callers { group.addTask { try await cache.token() } }
            await eventually { await cache.waitingCallers() == callers }
            gate.open()
            for try await token in group { #expect(token == "shared") }
        }
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func nilIsNeverCached() async throws {
        let source = TokenSource([nil, nil, "late"])
        let cache = TokenCache(fetch: source.getToken, now: clock.reader)
        #expect(try await cache.token() == nil)
        #expect(try await cache.token() == nil)
        #expect(try await cache.token() == "late")
        #expect(source.calls == 3)
    }

    @Test func opaqueTokensAreCachedForSixtySeconds() async throws {
        let source = TokenSource(["opaque-1", "opaque-2"])
        let cache = TokenCache(fetch: source.getToken, now: clock.reader)
        #expect(try await cache.token() == "opaque-1")
        clock.advance(by: 59)
        #expect(try await cache.token() == "opaque-1")
        clock.advance(by: 1)
        #expect(try await cache.token() == "opaque-2")
        #expect(source.calls == 2)
    }

    @Test func getTokenErrorsReachTheCallerUnchangedAndAreNotCached() async throws {
        let calls = Locked(0)
        let cache = TokenCache(fetch: {
            let call = calls.withLock { $0 += 1; return $0 }
            if call == 1 { throw SomeTestError() }
            return "recovered"
        }, now: clock.reader)
        await #expect(throws: SomeTestError.self) { try await cache.token() }
        #expect(try await cache.token() == "recovered")
    }

    @Test func invalidateDropsOnlyTheRejectedToken() async throws {
        let source = TokenSource(["first", "second"])
        let cache = TokenCache(fetch: source.getToken, now: clock.reader)
        _ = try await cache.token()

        await cache.invalidate(ifCurrent: "someone-else")
        #expect(try await cache.token() == "first")

        await cache.invalidate(ifCurrent: "first")
        #expect(try await cache.token() == "second")
        #expect(source.calls == 2)
    }

    @Test func expiryIsReadFromABase64URLPayloadWithoutPadding() {
        // These subjects make payloads of every length modulo 3 (so 0, 1 and 2
        // stripped padding characters) whose base64url uses `-` or `_`.
        let expiry = Date(timeIntervalSince1970: 1_800_000_000)
        for subject in ["???", "a>>?", "ab?>~"] {
            let jwt = makeJWT(expiresAt: expiry, subject: subject)
            #expect(jwt.contains("-") || jwt.contains("_"))
            #expect(!jwt.contains("="))
            #expect(JWTExpiry.expiry(of: jwt) == expiry)
        }
        #expect(JWTExpiry.expiry(of: "not-a-jwt") == nil)
        #expect(JWTExpiry.expiry(of: "a.\(Data("{\"sub\":\"x\"}".utf8).base64EncodedString()).c") == nil)
    }
}
