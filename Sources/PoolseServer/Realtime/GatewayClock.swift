/// The time the gateway runs on: the system's continuous clock in a server, a clock a test moves
/// by hand (so a 60 s heartbeat timeout is tested without waiting 60 s, or 300 ms).
///
/// Instants are `ContinuousClock.Instant`s either way: a test clock starts at the real now and
/// only moves when told.
protocol GatewayClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Returns once `deadline` is reached (at once when it has passed); throws when the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The system's continuous clock.
struct SystemGatewayClock: GatewayClock {
    var now: ContinuousClock.Instant { .now }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
