import Crypto
import Foundation
import PoolseWire

/// PROTOCOL.md §4.2: a 2xx response to a non-GET with an `Idempotency-Key` is stored for
/// 24 h under (tenant, caller, method, path, key) and replayed verbatim. The key is
/// claimed in the database before the handler runs, so concurrent requests with the same
/// key (on this node or another) see `idempotency_in_progress` instead of running twice.
/// The response of a route that writes is stored in the write's own transaction
/// (`IdempotentExchange`); other routes' responses are stored right after.
struct IdempotencyGuard: Sendable {
    let store: Store
    /// How long a stored response is replayed. Default 24 h.
    var retention: TimeInterval = 24 * 3600
    /// A claim older than this is taken to belong to a request that died mid-way.
    var staleClaimAfter: TimeInterval = 60

    func run(scope: IdempotencyScope, body: Data,
             _ handler: @Sendable () async throws -> APIResponse) async throws -> APIResponse {
        let hash = Self.requestHash(body)
        let now = WallClock.nowMicros()
        if try await !store.transaction({ try await $0.claimIdempotencyKey(scope, requestHash: hash, at: now) }) {
            if let replay = try await existing(scope: scope, hash: hash, now: now) { return replay }
        }
        do {
            let exchange = IdempotentExchange(scope: scope)
            let response = try await IdempotentExchange.$current.withValue(exchange) { try await handler() }
            // Stored in the handler's own transaction already (see `IdempotentExchange`).
            if exchange.storedResponse != nil { return response }
            if (200..<300).contains(response.status) {
                let text = String(decoding: response.body, as: UTF8.self)
                try await store.transaction {
                    try await $0.completeIdempotencyKey(scope, status: response.status,
                                                        contentType: response.contentType, body: text)
                }
            } else {
                try await release(scope)
            }
            return response
        } catch {
            try? await release(scope)
            throw error
        }
    }

    /// Replays or refuses based on an existing record; returns nil when the record was
    /// stale and the key has been claimed again for this request.
    private func existing(scope: IdempotencyScope, hash: String, now: Int64) async throws -> APIResponse? {
        return try await store.transaction { q in
            guard let record = try await q.idempotencyRecord(scope) else {
                // Released between our insert and this read: claim it now.
                if try await q.claimIdempotencyKey(scope, requestHash: hash, at: now) { return nil }
                throw ServiceError.idempotencyInProgress
            }
            let age = TimeInterval(now - record.createdAt) / 1_000_000
            let expired = age > retention || (record.state == .inProgress && age > staleClaimAfter)
            if expired {
                try await q.releaseIdempotencyKey(scope)
                _ = try await q.claimIdempotencyKey(scope, requestHash: hash, at: now)
                return nil
            }
            guard record.requestHash == hash else { throw ServiceError.idempotencyKeyReused }
            guard record.state == .completed, let status = record.status else { throw ServiceError.idempotencyInProgress }
            var replay = APIResponse(status: status, body: Data((record.responseBody ?? "").utf8),
                                     contentType: record.contentType)
            replay.extraHeaders.append(("Idempotent-Replayed", "true"))
            return replay
        }
    }

    private func release(_ scope: IdempotencyScope) async throws {
        try await store.transaction { try await $0.releaseIdempotencyKey(scope) }
    }

    /// What identifies a request body: the SHA-256 of its canonical JSON (keys sorted), so the
    /// same request resent by a client that orders keys differently (another process of the
    /// same app, after a relaunch) is recognised; a body that is not JSON is hashed as it is.
    static func requestHash(_ body: Data) -> String {
        guard !body.isEmpty, let value = try? JSONValue.parse(body) else { return SHA256.hash(data: body).hexString }
        return SHA256.hash(data: value.canonicalText).hexString
    }

    /// Deletes records past retention; run periodically.
    func purge() async throws -> Int {
        let cutoff = WallClock.nowMicros() - Int64(retention * 1_000_000)
        return try await store.transaction { try await $0.purgeIdempotencyKeys(createdBefore: cutoff) }
    }
}
