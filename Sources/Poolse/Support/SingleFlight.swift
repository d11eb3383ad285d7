/// Runs at most one operation per key at a time and hands its result to every caller
/// that asked while it ran: one `getToken` call for a burst of requests, one
/// `userResolver` call per user id.
///
/// Callers wait on continuations rather than on the shared `Task`'s value so that a
/// caller whose own task is cancelled can leave at once with `CancellationError`
/// while the operation keeps running for the others. The operation is cancelled only
/// when its last waiter has left.
actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private struct Flight {
        let id: UInt64
        let task: Task<Void, Never>
        var waiters: [UInt64: CheckedContinuation<Value, any Error>]
    }

    private var flights: [Key: Flight] = [:]
    private var lastID: UInt64 = 0

    /// The result of the operation running for `key`, starting `operation` when none is.
    func run(_ key: Key, operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let waiterID = nextID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                join(key, waiterID: waiterID, continuation: continuation, operation: operation)
            }
        } onCancel: {
            Task { await self.leave(key, waiterID: waiterID) }
        }
    }

    /// How many callers wait on `key` now (lets tests know a burst has fully joined).
    func waiterCount(for key: Key) -> Int { flights[key]?.waiters.count ?? 0 }

    private func join(_ key: Key, waiterID: UInt64, continuation: CheckedContinuation<Value, any Error>,
                      operation: @escaping @Sendable () async throws -> Value) {
        // The cancellation handler may have run before this registration; it found
        // nothing to remove, so the check has to happen here.
        if Task.isCancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        if flights[key] == nil {
            let flightID = nextID()
            let task = Task {
                let result: Result<Value, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                self.finish(key, flightID: flightID, result: result)
            }
            flights[key] = Flight(id: flightID, task: task, waiters: [:])
        }
        flights[key]?.waiters[waiterID] = continuation
    }

    private func leave(_ key: Key, waiterID: UInt64) {
        guard let continuation = flights[key]?.waiters.removeValue(forKey: waiterID) else { return }
        continuation.resume(throwing: CancellationError())
        if let flight = flights[key], flight.waiters.isEmpty {
            flight.task.cancel()
            flights[key] = nil
        }
    }

    private func finish(_ key: Key, flightID: UInt64, result: Result<Value, any Error>) {
        // A flight abandoned by all its waiters may finish after a new one started.
        guard let flight = flights[key], flight.id == flightID else { return }
        flights[key] = nil
        for continuation in flight.waiters.values {
            continuation.resume(with: result)
        }
    }

    private func nextID() -> UInt64 {
        lastID += 1
        return lastID
    }
}
