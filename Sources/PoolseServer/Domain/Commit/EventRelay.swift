import Logging
import NIOConcurrencyHelpers
import PoolseWire

/// Publishes committed events and forgets them once published, so that every committed event
/// is published at least once, even when the node dies between commit and publish.
///
/// - After its commit, a change's batch is published at once (`publish`). A published batch is
///   deleted from `outbox_events` with the others of the last `acknowledgeInterval`, in one
///   statement: deleting each batch on its own would double the writes of a send.
/// - A batch that could not be published (the pub/sub refused it, or expanding a
///   `conversation:*` request failed), or whose node died first, is still in the table. Every
///   `sweepInterval`, each node takes the batches older than `staleAfter`, publishes them and
///   deletes them in one transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two nodes never
///   take the same batch).
/// - So delivery is at least once: a batch whose acknowledgement was lost, or that a node was
///   still publishing after `staleAfter`, is published twice. Clients already de-duplicate
///   (`message:new` by id, gap fill by `sequence`), and a late batch may arrive after newer
///   events of its conversation.
final class EventRelay: Sendable {
    let store: Store
    let pubsub: any PubSub
    let logger: Logger
    /// How often published batches are deleted. Default 100 ms.
    let acknowledgeInterval: Duration
    /// How often this node looks for batches left behind. Default 5 s.
    let sweepInterval: Duration
    /// How old a batch must be for a sweep to take it. Default 10 s: far longer than a commit's
    /// own publish takes, so a sweep does not race a live node.
    let staleAfter: Duration

    private let published = NIOLockedValueBox<[String]>([])

    init(store: Store, pubsub: any PubSub, logger: Logger, acknowledgeInterval: Duration = .milliseconds(100),
         sweepInterval: Duration = .seconds(5), staleAfter: Duration = .seconds(10)) {
        self.store = store
        self.pubsub = pubsub
        self.logger = logger
        self.acknowledgeInterval = acknowledgeInterval
        self.sweepInterval = sweepInterval
        self.staleAfter = staleAfter
    }

    /// Publishes one committed batch; never throws (the commit has happened: what fails here is
    /// left to the sweep).
    func publish(batchId: String, _ events: [DomainEvent]) async {
        guard let messages = await expand(events), await pubsub.publish(messages) else { return }
        published.withLockedValue { $0.append(batchId) }
    }

    /// Deletes the batches published since the last call.
    func acknowledge() async {
        let ids = published.withLockedValue { ids in
            defer { ids = [] }
            return ids
        }
        guard !ids.isEmpty else { return }
        do {
            try await store.transaction { try await $0.deleteOutbox(ids: ids) }
        } catch {
            // Kept for the next round; should the node die first, a sweep publishes them again.
            published.withLockedValue { $0.insert(contentsOf: ids, at: 0) }
            logger.warning("could not acknowledge published events", metadata: ["batches": "\(ids.count)"])
        }
    }

    /// Publishes and deletes every batch older than `staleAfter` (at most `limit`); returns how
    /// many batches it published.
    @discardableResult
    func sweep(limit: Int = 100) async -> Int {
        let cutoff = WallClock.nowMicros() - staleAfter.microseconds
        do {
            return try await store.transaction { q in
                let rows = try await q.claimOutbox(createdBefore: cutoff, limit: limit)
                var done: [String] = []
                for row in rows {
                    let events = (try? DomainEvent.events(outboxText: row.body)) ?? []
                    // A batch that can't be read back is dropped rather than retried forever.
                    if events.isEmpty {
                        self.logger.error("dropping an unreadable outbox batch", metadata: ["batch": "\(row.id)"])
                    } else {
                        guard let messages = await self.expand(events), await self.pubsub.publish(messages) else { break }
                    }
                    done.append(row.id)
                }
                try await q.deleteOutbox(ids: done)
                return done.count
            }
        } catch {
            logger.warning("outbox sweep failed", metadata: ["error": "\(String(reflecting: error))"])
            return 0
        }
    }

    /// The realtime messages of `events`, with each `conversation:*` request expanded to every
    /// recipient's own unread count; nil when a read failed.
    private func expand(_ events: [DomainEvent]) async -> [RealtimeMessage]? {
        var messages: [RealtimeMessage] = []
        messages.reserveCapacity(events.count)
        for event in events {
            switch event {
            case .realtime(let message):
                messages.append(message)
            case .conversationUpdated(let conversationId, let tenantId, let byUserId, let recipients, let includeMembers):
                guard let expanded = try? await store.read({ q in
                    try await ConversationEvents.updated(conversationId: conversationId, tenantId: tenantId, by: byUserId,
                                                         to: recipients, includeMembers: includeMembers, q)
                }) else { return nil }
                messages += expanded
            case .conversationCreated(let conversationId, let tenantId, let recipients):
                guard let expanded = try? await store.read({ q in
                    try await ConversationEvents.created(conversationId: conversationId, tenantId: tenantId,
                                                         to: recipients, q)
                }) else { return nil }
                messages += expanded
            }
        }
        return messages
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
