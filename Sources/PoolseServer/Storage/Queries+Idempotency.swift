import SQLKit

/// A stored idempotency record (PROTOCOL.md §4.2).
struct IdempotencyRecord: Sendable, Equatable {
    enum State: String, Sendable { case inProgress = "in_progress", completed }
    let requestHash: String
    let state: State
    let status: Int?
    let contentType: String?
    let responseBody: String?
    let createdAt: Int64
}

/// What identifies one idempotent request.
struct IdempotencyScope: Sendable, Hashable {
    let tenantId: String
    let callerId: String
    let method: String
    let path: String
    let key: String
}

extension Queries {
    /// Claims the key for a new request; returns false when a record already exists.
    func claimIdempotencyKey(_ scope: IdempotencyScope, requestHash: String, at time: Int64) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO idempotency_keys (tenant_id, caller_id, method, path, idem_key, request_hash, state, created_at)
            VALUES (\(bind: scope.tenantId), \(bind: scope.callerId), \(bind: scope.method), \(bind: scope.path),
              \(bind: scope.key), \(bind: requestHash), 'in_progress', \(bind: time))
            ON CONFLICT (tenant_id, caller_id, method, path, idem_key) DO NOTHING
            RETURNING idem_key
            """).first()
        return row != nil
    }

    func idempotencyRecord(_ scope: IdempotencyScope) async throws -> IdempotencyRecord? {
        try await db.raw("""
            SELECT request_hash, state, status, content_type, response_body, created_at FROM idempotency_keys
            WHERE tenant_id = \(bind: scope.tenantId) AND caller_id = \(bind: scope.callerId)
              AND method = \(bind: scope.method) AND path = \(bind: scope.path) AND idem_key = \(bind: scope.key)
            """).first().map { row in
            IdempotencyRecord(
                requestHash: try row.string("request_hash"),
                state: IdempotencyRecord.State(rawValue: try row.string("state")) ?? .inProgress,
                status: try row.optionalInt("status"), contentType: try row.optionalString("content_type"),
                responseBody: try row.optionalString("response_body"), createdAt: try row.int64("created_at"))
        }
    }

    func completeIdempotencyKey(_ scope: IdempotencyScope, status: Int, contentType: String?, body: String) async throws {
        try await db.raw("""
            UPDATE idempotency_keys SET state = 'completed', status = \(bind: status),
              content_type = \(bind: contentType), response_body = \(bind: body)
            WHERE tenant_id = \(bind: scope.tenantId) AND caller_id = \(bind: scope.callerId)
              AND method = \(bind: scope.method) AND path = \(bind: scope.path) AND idem_key = \(bind: scope.key)
            """).run()
    }

    func releaseIdempotencyKey(_ scope: IdempotencyScope) async throws {
        try await db.raw("""
            DELETE FROM idempotency_keys
            WHERE tenant_id = \(bind: scope.tenantId) AND caller_id = \(bind: scope.callerId)
              AND method = \(bind: scope.method) AND path = \(bind: scope.path) AND idem_key = \(bind: scope.key)
            """).run()
    }

    /// Deletes records created before `cutoff`; returns how many.
    func purgeIdempotencyKeys(createdBefore cutoff: Int64) async throws -> Int {
        try await db.raw("""
            DELETE FROM idempotency_keys WHERE created_at < \(bind: cutoff) RETURNING idem_key
            """).all().count
    }
}
