import SQLKit

/// One row of `outbound_jobs` (see `OutboundSchema`).
struct OutboundJobRow: Sendable, Equatable {
    var id: String
    var tenantId: String
    var kind: String
    var destination: String
    var orderKey: String?
    var collapseKey: String?
    var endpointId: String?
    var eventId: String?
    var eventType: String?
    var payload: String
    var status: String = OutboundJobStatus.pending.rawValue
    var attempts: Int = 0
    var runAfter: Int64
    var lastStatusCode: Int?
    var lastLatencyMs: Int?
    var lastError: String?
    var createdAt: Int64
    var updatedAt: Int64
    var completedAt: Int64?
}

/// How an attempt ended, as stored on the job.
struct OutboundAttempt: Sendable {
    var statusCode: Int?
    var latencyMs: Int?
    var error: String?
}

extension Queries {
    private static let jobColumns: SQLQueryString = """
        id, tenant_id, kind, destination, order_key, collapse_key, endpoint_id, event_id, event_type, payload, status,
        attempts, run_after, last_status_code, last_latency_ms, last_error, created_at, updated_at, completed_at
        """

    func insertJob(_ job: OutboundJobRow) async throws {
        try await db.raw("""
            INSERT INTO outbound_jobs (\(Self.jobColumns))
            VALUES (\(bind: job.id), \(bind: job.tenantId), \(bind: job.kind), \(bind: job.destination), \(bind: job.orderKey),
              \(bind: job.collapseKey), \(bind: job.endpointId), \(bind: job.eventId), \(bind: job.eventType), \(bind: job.payload),
              \(bind: job.status), \(bind: job.attempts), \(bind: job.runAfter), \(bind: job.lastStatusCode),
              \(bind: job.lastLatencyMs), \(bind: job.lastError), \(bind: job.createdAt), \(bind: job.updatedAt),
              \(bind: job.completedAt))
            """).run()
    }

    /// Leases up to `limit` due jobs to `owner` until `leaseUntil`, and counts an attempt on each.
    ///
    /// A job is due when it is pending, its `run_after` has passed, nobody holds a live lease on
    /// it, and no earlier pending job shares its `order_key` (so a chain waits while its head
    /// retries). At most `perDestination(destination)` jobs of one destination are leased at
    /// once: jobs of a destination that already has that many live leases are left. On PostgreSQL the candidate
    /// rows are locked with `FOR UPDATE SKIP LOCKED`, so two nodes never lease the same job;
    /// SQLite has a single writer.
    func claimJobs(owner: String, now: Int64, leaseUntil: Int64, limit: Int,
                   perDestination: @Sendable (String) -> Int) async throws
        -> [OutboundJobRow]
    {
        let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let candidates = try await db.raw("""
            SELECT \(Self.jobColumns) FROM outbound_jobs j
            WHERE j.status = 'pending' AND j.run_after <= \(bind: now) AND (j.lease_until IS NULL OR j.lease_until <= \(bind: now))
              AND (j.order_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbound_jobs e WHERE e.order_key = j.order_key AND e.status = 'pending'
                  AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))))
            ORDER BY j.run_after, j.created_at, j.id LIMIT \(bind: limit * 4)\(lock)
            """).all().map(Self.job)
        guard !candidates.isEmpty else { return [] }
        let destinations = Array(Set(candidates.map(\.destination)))
        var busy: [String: Int] = [:]
        for row in try await db.raw("""
            SELECT destination, COUNT(*) AS n FROM outbound_jobs
            WHERE status = 'pending' AND lease_until > \(bind: now) AND destination IN (\(binds: destinations))
            GROUP BY destination
            """).all() {
            busy[try row.string("destination")] = try row.int("n")
        }
        var claimed: [OutboundJobRow] = []
        for var job in candidates where claimed.count < limit && busy[job.destination, default: 0] < perDestination(job.destination) {
            busy[job.destination, default: 0] += 1
            job.attempts += 1
            claimed.append(job)
        }
        guard !claimed.isEmpty else { return [] }
        try await db.raw("""
            UPDATE outbound_jobs SET lease_owner = \(bind: owner), lease_until = \(bind: leaseUntil), attempts = attempts + 1,
              updated_at = \(bind: now)
            WHERE id IN (\(binds: claimed.map(\.id)))
            """).run()
        return claimed
    }

    /// Ends a leased job as `done` or `failed`; false when `owner` no longer holds its lease.
    @discardableResult
    func finishJob(id: String, owner: String, status: OutboundJobStatus, attempt: OutboundAttempt, at now: Int64)
        async throws -> Bool
    {
        try await db.raw("""
            UPDATE outbound_jobs SET status = \(bind: status.rawValue), lease_owner = NULL, lease_until = NULL,
              last_status_code = \(bind: attempt.statusCode), last_latency_ms = \(bind: attempt.latencyMs),
              last_error = \(bind: attempt.error), completed_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) RETURNING id
            """).first() != nil
    }

    /// Puts a leased job back to run again after `runAfter`.
    func retryJob(id: String, owner: String, runAfter: Int64, attempt: OutboundAttempt, at now: Int64) async throws {
        try await db.raw("""
            UPDATE outbound_jobs SET run_after = \(bind: runAfter), lease_owner = NULL, lease_until = NULL,
              last_status_code = \(bind: attempt.statusCode), last_latency_ms = \(bind: attempt.latencyMs),
              last_error = \(bind: attempt.error), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner)
            """).run()
    }

    /// Gives a leased job back untouched (the node is stopping), so another takes it at once.
    func releaseJob(id: String, owner: String) async throws {
        try await db.raw("""
            UPDATE outbound_jobs SET lease_owner = NULL, lease_until = NULL, attempts = attempts - 1
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND status = 'pending'
            """).run()
    }

    /// The pending, not leased job of a push burst, if there is one (it can still be replaced).
    func waitingJob(collapseKey: String, now: Int64) async throws -> OutboundJobRow? {
        try await db.raw("""
            SELECT \(Self.jobColumns) FROM outbound_jobs
            WHERE collapse_key = \(bind: collapseKey) AND status = 'pending' AND (lease_until IS NULL OR lease_until <= \(bind: now))
            ORDER BY created_at DESC LIMIT 1
            """).first().map(Self.job)
    }

    /// When the last push of a burst was sent or is being sent (a leased or finished job).
    func lastPushAt(collapseKey: String, now: Int64) async throws -> Int64? {
        let row = try await db.raw("""
            SELECT MAX(CASE WHEN status = 'pending' THEN updated_at ELSE completed_at END) AS at FROM outbound_jobs
            WHERE collapse_key = \(bind: collapseKey)
              AND (status <> 'pending' OR (lease_until IS NOT NULL AND lease_until > \(bind: now)))
            """).first()
        return try row?.optionalInt64("at")
    }

    /// Replaces what a waiting push job will send.
    func replaceJobPayload(id: String, payload: String, at now: Int64) async throws {
        try await db.raw("""
            UPDATE outbound_jobs SET payload = \(bind: payload), updated_at = \(bind: now) WHERE id = \(bind: id)
            """).run()
    }

    /// A webhook endpoint's deliveries, newest first, before the delivery `before` when given.
    func deliveries(endpointId: String, limit: Int, before: OutboundJobRow?) async throws -> [OutboundJobRow] {
        let page: SQLQueryString = before.map {
            " AND (created_at < \(bind: $0.createdAt) OR (created_at = \(bind: $0.createdAt) AND id < \(bind: $0.id)))"
        } ?? ""
        return try await db.raw("""
            SELECT \(Self.jobColumns) FROM outbound_jobs WHERE endpoint_id = \(bind: endpointId)\(page)
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
            """).all().map(Self.job)
    }

    func delivery(id: String, endpointId: String) async throws -> OutboundJobRow? {
        try await db.raw("""
            SELECT \(Self.jobColumns) FROM outbound_jobs WHERE id = \(bind: id) AND endpoint_id = \(bind: endpointId)
            """).first().map(Self.job)
    }

    /// Schedules a finished delivery again, now, with its attempts counted from zero.
    func replayDelivery(id: String, at now: Int64) async throws {
        try await db.raw("""
            UPDATE outbound_jobs SET status = 'pending', attempts = 0, run_after = \(bind: now), lease_owner = NULL,
              lease_until = NULL, completed_at = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: id)
            """).run()
    }

    /// Forgets every delivery of an endpoint (it is being deleted).
    func deleteDeliveries(endpointId: String) async throws {
        try await db.raw("DELETE FROM outbound_jobs WHERE endpoint_id = \(bind: endpointId)").run()
    }

    /// Pending jobs per kind (`/metrics`).
    func pendingJobCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.raw("""
            SELECT kind, COUNT(*) AS n FROM outbound_jobs WHERE status = 'pending' GROUP BY kind
            """).all() {
            counts[try row.string("kind")] = try row.int("n")
        }
        return counts
    }

    /// Deletes finished jobs older than `cutoff` (delivery history is kept that long).
    func purgeFinishedJobs(before cutoff: Int64) async throws {
        try await db.raw("""
            DELETE FROM outbound_jobs WHERE status <> 'pending' AND completed_at < \(bind: cutoff)
            """).run()
    }

    static func job(_ row: any SQLRow) throws -> OutboundJobRow {
        OutboundJobRow(
            id: try row.string("id"), tenantId: try row.string("tenant_id"), kind: try row.string("kind"),
            destination: try row.string("destination"), orderKey: try row.optionalString("order_key"),
            collapseKey: try row.optionalString("collapse_key"), endpointId: try row.optionalString("endpoint_id"),
            eventId: try row.optionalString("event_id"), eventType: try row.optionalString("event_type"),
            payload: try row.string("payload"), status: try row.string("status"), attempts: try row.int("attempts"),
            runAfter: try row.int64("run_after"), lastStatusCode: try row.optionalInt("last_status_code"),
            lastLatencyMs: try row.optionalInt("last_latency_ms"), lastError: try row.optionalString("last_error"),
            createdAt: try row.int64("created_at"), updatedAt: try row.int64("updated_at"),
            completedAt: try row.optionalInt64("completed_at"))
    }
}
