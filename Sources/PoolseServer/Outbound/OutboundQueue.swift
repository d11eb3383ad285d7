import AsyncHTTPClient
import Foundation
import Logging
import PoolseWire

/// The outbound queue of one node: claims due jobs (leased, see `Queries.claimJobs`), runs
/// them and records what became of each. `OutboundService` drives it.
///
/// Every node runs one; they share the table. A job is at-least-once: a node that dies
/// mid-attempt leaves its lease to expire and another node (or itself, restarted) runs the
/// job again, with the same event id for a webhook.
struct OutboundQueue: Sendable {
    let store: Store
    let configuration: OutboundConfiguration
    let pushSender: any PushSender
    let presence: any ConversationPresence
    let sealer: SecretSealer?
    let metrics: ServerMetrics
    let logger: Logger
    /// Deletes one batch of a user's messages; true while more remain.
    let bulkDeletion: @Sendable (BulkDeletionJob) async throws -> Bool
    /// This node's name on the leases it takes.
    let nodeId: String
    /// Rings when a change committed on this node wrote jobs.
    let signal: OutboundSignal

    var backoff: RetryBackoff {
        RetryBackoff(baseDelay: configuration.retryBaseDelay, maxDelay: configuration.retryMaxDelay)
    }

    /// Leases up to `limit` due jobs to this node.
    func claim(limit: Int) async throws -> [OutboundJobRow] {
        guard limit > 0 else { return [] }
        let now = WallClock.nowMicros()
        return try await store.transaction { q in
            try await q.claimJobs(owner: nodeId, now: now, leaseUntil: now + configuration.leaseDuration.micros, limit: limit,
                                  perDestination: { destination in
                                      destination.hasPrefix(PushPlanner.destinationPrefix)
                                          ? configuration.pushPerDestinationConcurrency : configuration.perDestinationConcurrency
                                  })
        }
    }

    /// What one attempt decided.
    enum Decision: Sendable {
        case done(OutboundAttempt, outcome: String)
        case retry(OutboundAttempt, after: Double?)
        case failed(OutboundAttempt)
        /// Run again at once, not counted as a failure (a bulk deletion with batches left).
        case again
    }

    /// Runs one leased job and records the decision.
    func run(_ job: OutboundJobRow, client: HTTPClient) async {
        let decision: Decision
        do {
            decision = try await attempt(job, client: client)
        } catch {
            logger.warning("outbound job failed to run", metadata: ["job": "\(job.id)", "kind": "\(job.kind)",
                                                                     "error": "\(error)"])
            decision = .retry(OutboundAttempt(error: "internal error"), after: nil)
        }
        await record(decision, for: job)
    }

    private func attempt(_ job: OutboundJobRow, client: HTTPClient) async throws -> Decision {
        switch OutboundJobKind(rawValue: job.kind) {
        case .webhook: return try await deliverWebhook(job, client: client)
        case .messagePush:
            let push = try WireCoding.decoder.decode(MessagePush.self, from: Data(job.payload.utf8))
            try await planner.fanOut(push)
            return .done(OutboundAttempt(), outcome: "delivered")
        case .userPush:
            let push = try WireCoding.decoder.decode(UserPush.self, from: Data(job.payload.utf8))
            try await planner.fanOut(push)
            return .done(OutboundAttempt(), outcome: "delivered")
        case .push: return try await sendPush(job)
        case .bulkDeletion:
            let request = try WireCoding.decoder.decode(BulkDeletionJob.self, from: Data(job.payload.utf8))
            return try await bulkDeletion(request) ? .again : .done(OutboundAttempt(), outcome: "delivered")
        case nil:
            return .failed(OutboundAttempt(error: "unknown job kind \(job.kind)"))
        }
    }

    var planner: PushPlanner {
        PushPlanner(store: store, presence: presence, collapseWindow: configuration.pushCollapseWindow)
    }

    // MARK: - Webhooks

    private func deliverWebhook(_ job: OutboundJobRow, client: HTTPClient) async throws -> Decision {
        guard let endpointId = job.endpointId,
              let record = try await store.read({ try await $0.webhookEndpoint(id: endpointId, tenantId: job.tenantId) })
        else { return .done(OutboundAttempt(error: "the endpoint was deleted"), outcome: "skipped") }
        let secret = record.secretSealed ? try sealer.map { try $0.open(record.secret) } ?? record.secret : record.secret
        let deliverer = WebhookDeliverer(client: client, policy: WebhookAddressPolicy(allowPrivate: configuration.allowPrivateWebhooks),
                                         timeout: configuration.webhookTimeout)
        switch await deliverer.deliver(url: record.endpoint.url, body: job.payload, eventId: job.eventId ?? job.id, secret: secret) {
        case .delivered(let status, let latency):
            return .done(OutboundAttempt(statusCode: status, latencyMs: latency), outcome: "delivered")
        case .retry(let status, let latency, let error):
            return .retry(OutboundAttempt(statusCode: status, latencyMs: latency, error: error), after: nil)
        case .refused(let reason):
            return .failed(OutboundAttempt(error: reason))
        }
    }

    // MARK: - Pushes

    private func sendPush(_ job: OutboundJobRow) async throws -> Decision {
        let push = try WireCoding.decoder.decode(PushJob.self, from: Data(job.payload.utf8))
        guard let device = try await store.read({ try await $0.device(id: push.deviceId) }) else {
            return .done(OutboundAttempt(error: "the device is gone"), outcome: "skipped")
        }
        switch await pushSender.send(PushDelivery(device: device.pushDevice, content: push.content)) {
        case .delivered:
            return .done(OutboundAttempt(), outcome: "delivered")
        case .deviceGone:
            try await store.transaction { try await $0.deleteDevice(id: push.deviceId) }
            return .done(OutboundAttempt(error: "the provider says the device is gone"), outcome: "gone")
        case .retry(let after, let reason):
            return .retry(OutboundAttempt(error: reason), after: after)
        case .failed(let reason):
            return .failed(OutboundAttempt(error: reason))
        case .notConfigured:
            return .done(OutboundAttempt(error: "no push provider is configured"), outcome: "skipped")
        }
    }

    // MARK: - Recording

    private func record(_ decision: Decision, for job: OutboundJobRow) async {
        let now = WallClock.nowMicros()
        do {
            switch decision {
            case .done(let attempt, let outcome):
                metrics.recordOutboundAttempt(kind: job.kind, outcome: outcome)
                if outcome == "delivered" { metrics.recordOutboundDelivery(kind: job.kind, after: .microseconds(now - job.createdAt)) }
                _ = try await store.transaction { try await $0.finishJob(id: job.id, owner: nodeId, status: .done, attempt: attempt, at: now) }
            case .failed(let attempt):
                metrics.recordOutboundAttempt(kind: job.kind, outcome: "failed")
                _ = try await store.transaction { try await $0.finishJob(id: job.id, owner: nodeId, status: .failed, attempt: attempt, at: now) }
            case .retry(let attempt, let after):
                let runAfter = now + backoff.delayMicros(afterAttempts: job.attempts, retryAfter: after)
                let window = job.kind == OutboundJobKind.webhook.rawValue ? configuration.webhookRetryWindow
                    : configuration.pushRetryWindow
                if runAfter - job.createdAt > window.micros {
                    metrics.recordOutboundAttempt(kind: job.kind, outcome: "failed")
                    let last = OutboundAttempt(statusCode: attempt.statusCode, latencyMs: attempt.latencyMs,
                                               error: "gave up after \(job.attempts) attempts: \(attempt.error ?? "no answer")")
                    _ = try await store.transaction { try await $0.finishJob(id: job.id, owner: nodeId, status: .failed, attempt: last, at: now) }
                } else {
                    metrics.recordOutboundAttempt(kind: job.kind, outcome: "retry")
                    try await store.transaction {
                        try await $0.retryJob(id: job.id, owner: nodeId, runAfter: runAfter, attempt: attempt, at: now)
                    }
                }
            case .again:
                try await store.transaction {
                    try await $0.retryJob(id: job.id, owner: nodeId, runAfter: now, attempt: OutboundAttempt(), at: now)
                }
            }
        } catch {
            // The lease runs out and the job is run again: at least once.
            logger.warning("could not record an outbound job's outcome", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Updates the depth gauges and forgets old finished jobs.
    func housekeeping() async {
        do {
            let counts = try await store.read { try await $0.pendingJobCounts() }
            for kind in OutboundJobKind.allCases { metrics.setOutboundDepth(kind: kind.rawValue, counts[kind.rawValue] ?? 0) }
            let cutoff = WallClock.nowMicros() - configuration.historyRetention.micros
            try await store.transaction { try await $0.purgeFinishedJobs(before: cutoff) }
        } catch {
            logger.debug("outbound housekeeping failed", metadata: ["error": "\(error)"])
        }
    }
}

/// The payload of a `push` job: which device, and what to show it.
struct PushJob: Sendable, Codable {
    var deviceId: String
    var content: PushContent
}
