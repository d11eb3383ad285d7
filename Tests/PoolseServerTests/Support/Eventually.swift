/// The server tests' one way to wait for work another task does: polls `condition` every 5 ms
/// and throws once `timeout` has passed without it holding. Bounded, so a test that waits for
/// something that never happens fails instead of hanging.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw RealtimeTestFailure("condition not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
