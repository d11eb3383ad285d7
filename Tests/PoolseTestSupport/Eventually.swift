/// Every suite's one way to wait for work another task or process does: polls `condition`
/// every 5 ms and throws once `timeout` has passed without it holding. Bounded, so a test that
/// waits for something that never happens fails instead of hanging. Runs on the caller's actor
/// (`nonisolated(nonsending)`), so a main-actor test can poll its main-actor models.
nonisolated(nonsending) package func eventually(_ what: String = "condition", timeout: Duration = .seconds(20),
                                                _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw TestFailure("\(what) not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
