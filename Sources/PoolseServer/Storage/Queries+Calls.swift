import PoolseWire
import SQLKit

/// A call as stored (migration 10).
struct CallRecord: Sendable, Equatable {
    let id: String
    let tenantId: String
    let conversationId: String
    let callerUserId: String
    let media: CallMedia
    var state: CallState
    /// Micros since the epoch after which a call still ringing rings out.
    let ringExpiresAt: Int64
}

/// What one participant of a call did: the caller is `caller`, callees start `ringing`.
enum CallParticipantStatus: String, Sendable {
    case caller, ringing, accepted, declined, busy
}

extension Queries {
    /// Stores a new ringing call with its caller and callees.
    func insertCall(_ call: CallRecord, callees: [String], at time: Int64) async throws {
        try await db.raw("""
            INSERT INTO calls (id, tenant_id, conversation_id, caller_user_id, media, state, ring_expires_at,
                               inserted_at, updated_at)
            VALUES (\(bind: call.id), \(bind: call.tenantId), \(bind: call.conversationId), \(bind: call.callerUserId),
                    \(bind: call.media.rawValue), \(bind: call.state.rawValue), \(bind: call.ringExpiresAt),
                    \(bind: time), \(bind: time))
            """).run()
        for (userId, status) in [(call.callerUserId, CallParticipantStatus.caller)] + callees.map({ ($0, .ringing) }) {
            try await db.raw("""
                INSERT INTO call_participants (call_id, user_id, status, updated_at)
                VALUES (\(bind: call.id), \(bind: userId), \(bind: status.rawValue), \(bind: time))
                """).run()
        }
    }

    /// The call, in the caller's tenant.
    func call(id: String, tenantId: String) async throws -> CallRecord? {
        try await db.raw("""
            SELECT id, tenant_id, conversation_id, caller_user_id, media, state, ring_expires_at
            FROM calls WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.callRecord)
    }

    /// Moves the call from one of `from` to `to`; false when it was in none of them (another
    /// node or request changed it first: the conditional update is what serializes them).
    func transitionCall(id: String, from: [CallState], to state: CallState, endReason: String? = nil,
                        at time: Int64) async throws -> Bool {
        let answered: Int64? = state == .active ? time : nil
        let ended: Int64? = state == .ended ? time : nil
        return try await db.raw("""
            UPDATE calls SET state = \(bind: state.rawValue), end_reason = COALESCE(\(bind: endReason), end_reason),
              answered_at = COALESCE(answered_at, \(bind: answered)), ended_at = COALESCE(ended_at, \(bind: ended)),
              updated_at = \(bind: time)
            WHERE id = \(bind: id) AND state IN (\(binds: from.map(\.rawValue)))
            RETURNING id
            """).first() != nil
    }

    /// Every participant's status, caller included.
    func callParticipants(callId: String) async throws -> [(userId: String, status: CallParticipantStatus)] {
        try await db.raw("""
            SELECT user_id, status FROM call_participants WHERE call_id = \(bind: callId) ORDER BY user_id
            """).all().map { row in
                (try row.string("user_id"), CallParticipantStatus(rawValue: try row.string("status")) ?? .ringing)
            }
    }

    /// Records what a callee did; false unless they were still `ringing`.
    func answerCall(callId: String, userId: String, status: CallParticipantStatus, at time: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE call_participants SET status = \(bind: status.rawValue), updated_at = \(bind: time)
            WHERE call_id = \(bind: callId) AND user_id = \(bind: userId) AND status = 'ringing'
            RETURNING call_id
            """).first() != nil
    }

    /// Ids of calls still ringing whose ring timeout passed at `now` (at most `limit`).
    func ringingCallsExpired(at now: Int64, limit: Int) async throws -> [(id: String, tenantId: String)] {
        try await db.raw("""
            SELECT id, tenant_id FROM calls WHERE state = 'ringing' AND ring_expires_at <= \(bind: now)
            ORDER BY ring_expires_at LIMIT \(bind: limit)
            """).all().map { (try $0.string("id"), try $0.string("tenant_id")) }
    }

    static func callRecord(_ row: any SQLRow) throws -> CallRecord {
        CallRecord(id: try row.string("id"), tenantId: try row.string("tenant_id"),
                   conversationId: try row.string("conversation_id"), callerUserId: try row.string("caller_user_id"),
                   media: CallMedia(rawValue: try row.string("media")), state: CallState(rawValue: try row.string("state")),
                   ringExpiresAt: try row.int64("ring_expires_at"))
    }
}
