/// The one path by which a change is committed and published:
///
/// 1. take the conversation's publish turn (`PublishLanes`), so publish order is commit order;
/// 2. in one transaction, run the change, write its events to `outbox_events`, its outbound
///    jobs to `outbound_jobs` (`OutboundEnqueuer`) and let the request's `CommitHook` (the
///    idempotency layer) write its rows;
/// 3. after the commit, hand the events to `EventRelay`, which cannot fail the request.
///
/// Nothing after the commit can turn a committed write into an error, and a crash between commit
/// and publish loses no event (the relay's sweep publishes what is left in the table).
struct ChangeCommitter: Sendable {
    let store: Store
    let relay: EventRelay
    /// Writes the change's outbound jobs; nil drops them (no queue, as in some tests).
    var enqueuer: OutboundEnqueuer?

    /// Commits `body`'s change and publishes its events; `lane` is the conversation whose event
    /// order the change takes part in (nil for changes with no conversation).
    func commit<T: Sendable>(lane: String?, _ body: @Sendable (Queries) async throws -> Change<T>) async throws -> T {
        let turn: PublishLanes.Turn? = if let lane { await relay.pubsub.lanes.turn(lane) } else { nil }
        defer { turn?.end() }
        let hook = CommitHook.current
        let (change, batchId): (Change<T>, String?) = try await store.transaction { q in
            let change = try await body(q)
            var batchId: String?
            if !change.events.isEmpty {
                let id = IDs.make()
                try await q.insertOutbox(OutboxRow(id: id, body: DomainEvent.outboxText(change.events),
                                                   createdAt: WallClock.nowMicros()))
                batchId = id
            }
            if !change.jobs.isEmpty, let enqueuer { try await enqueuer.write(change.jobs, q) }
            try await hook?.write(change.result, q)
            return (change, batchId)
        }
        if let batchId { await relay.publish(batchId: batchId, change.events) }
        if !change.jobs.isEmpty { enqueuer?.wake() }
        return change.result
    }
}
