import Testing
@testable import Poolse

/// A one-shot latch: `wait()` suspends until `open()`. Lets a test hold a transport,
/// a token fetch or a resolver at a known point without any timer.
final class Gate: Sendable {
    private let state = Locked<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Suspends until the current task is cancelled, then throws `CancellationError`:
/// a request or a sleep that never ends by itself.
func suspendUntilCancelled() async throws {
    let gate = Gate()
    await withTaskCancellationHandler { await gate.wait() } onCancel: { gate.open() }
    throw CancellationError()
}

/// Yields until `condition` holds; fails the test after a bounded number of turns
/// instead of hanging (no wall-clock timeout involved).
func eventually(_ condition: () async -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async {
    for _ in 0..<1_000_000 {
        if await condition() { return }
        await Task.yield()
    }
    Issue.record("condition never became true", sourceLocation: sourceLocation)
}

