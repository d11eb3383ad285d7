import Foundation
@testable import Poolse

/// Records what the client asked to sleep for and returns at once.
final class SleepRecorder: Sendable {
    private let recorded = Locked<[Duration]>([])

    var delays: [Duration] { recorded.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [recorded] delay in
            try Task.checkCancellation()
            recorded.withLock { $0.append(delay) }
        }
    }
}

/// A wall clock that moves only when the test says so.
final class ManualClock: Sendable {
    private let current: Locked<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Locked(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var reader: @Sendable () -> Date { { [self] in now } }
}

/// A `getToken` that hands out scripted tokens and counts its calls.
final class TokenSource: Sendable {
    private let state: Locked<(calls: Int, script: [String?])>
    private let last: String?

    /// Returns the scripted tokens in order, then repeats the last one.
    init(_ script: [String?]) {
        state = Locked((0, script))
        last = script.last ?? nil
    }

    var calls: Int { state.withLock { $0.calls } }

    func next() -> String? {
        state.withLock { state in
            state.calls += 1
            return state.script.isEmpty ? last : state.script.removeFirst()
        }
    }

    var getToken: @Sendable () async throws -> String? { { [self] in next() } }
}

/// Counts calls and hands out `key-1`, `key-2`, …
final class KeySequence: Sendable {
    private let count = Locked(0)

    var generate: @Sendable () -> String {
        { [count] in "key-" + String(count.withLock { $0 += 1; return $0 }) }
    }
}

/// A signed-looking JWT whose payload carries `exp` (the SDK never verifies signatures).
func makeJWT(expiresAt: Date, subject: String = "user-1") -> String {
    func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    let header = base64URL(#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#)
    let payload = base64URL(#"{"sub":"\#(subject)","exp":\#(Int(expiresAt.timeIntervalSince1970))}"#)
    return "\(header).\(payload).c2lnbmF0dXJl"
}

struct SomeTestError: Error, Equatable {}

/// A client wired to `transport` with instant, recorded sleeps, full jitter fixed at
/// its upper bound (random = 1) and a fixed clock, unless `configure` says otherwise.
/// (`configure` comes before `getToken` so a trailing closure means `configure`.)
func makeClient(
    _ transport: MockTransport,
    sleeper: SleepRecorder = SleepRecorder(),
    configure: (inout PoolseConfiguration) -> Void = { _ in },
    getToken: @escaping @Sendable () async throws -> String? = { "test-token" }
) -> Poolse {
    var configuration = PoolseConfiguration(
        apiURL: URL(string: "https://chat.example.test")!, transport: transport, getToken: getToken)
    configuration.sleep = sleeper.sleep
    configuration.random = { 1 }
    configuration.now = { Date(timeIntervalSince1970: 1_800_000_000) }
    configure(&configuration)
    return Poolse(configuration)
}
