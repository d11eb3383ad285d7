import Foundation
import PoolseWire

/// Ringing: the `call:*` pushes of `user:<id>` (docs/calls.md). A call's state lives in the
/// database (`calls`, `call_participants`), so every node sees the same call, and each change
/// commits its events (`call:*` on every participant's `user:<id>`) through `ChangeCommitter`,
/// which publishes them to every node after the commit.
///
/// States: `ringing` → `active` (first accept) → `ended` (hang-up); `ringing` → `ended` when
/// the caller cancels, every callee declines or is busy, or nobody answers within
/// `ringTimeout` (`expireRinging`, and any accept that comes too late). Refusals that change
/// nothing throw a `CallRefusal`, which rolls the transaction back.
struct CallService: Sendable {
    let store: Store
    let committer: ChangeCommitter
    let configuration: CallConfiguration

    /// The reply to a push: the ok response or why it was refused.
    typealias Reply = Result<JSONValue, CallRefusal>

    /// Handles one `call:*` push from `caller`'s `user:<id>` topic.
    func handle(event: String, payload: JSONValue, caller: UserPrincipal) async -> Reply {
        let fields = payload.objectValue ?? [:]
        do {
            switch event {
            case CallEvent.invite:
                let media = try fields["media"].map { try Self.media($0) } ?? .audio
                return .success(try JSONValue.from(try await invite(conversationId: try Self.id(fields, "conversation_id"),
                                                                     media: media, by: caller)))
            case CallEvent.accept:
                return try await answer(fields, .accepted, by: caller)
            case CallEvent.decline:
                return try await answer(fields, .declined, by: caller)
            case CallEvent.busy:
                return try await answer(fields, .busy, by: caller)
            case CallEvent.cancel:
                return try await cancel(callId: try Self.id(fields, "call_id"), fields, by: caller)
            case CallEvent.hangup:
                return try await hangUp(callId: try Self.id(fields, "call_id"), fields, by: caller)
            default:
                return .failure(.unhandledEvent)
            }
        } catch let refusal as CallRefusal {
            return .failure(refusal)
        } catch {
            return .failure(.internalError)
        }
    }

    // MARK: - Operations

    /// Rings every member of the conversation but the caller.
    func invite(conversationId: String, media: CallMedia, by caller: UserPrincipal) async throws -> CallInvitation {
        let now = configuration.now()
        let ringExpiresAt = now + configuration.ringTimeout.microseconds
        let maxCallees = configuration.maxCallees
        return try await committer.commit(lane: conversationId) { q in
            guard try await q.conversation(id: conversationId, tenantId: caller.tenantId) != nil else {
                throw CallRefusal.notFound
            }
            let members = try await q.memberships(conversationId: conversationId)
            guard members.contains(where: { $0.userId == caller.userId }) else { throw CallRefusal.forbidden }
            // Members who block the caller are not rung (and are not told); when that leaves
            // nobody, the caller learns they are blocked, as a message to them would.
            let blocking = Set(try await q.membersBlocking(caller.userId, conversationId: conversationId))
            let others = members.map(\.userId).filter { $0 != caller.userId }
            let callees = others.filter { !blocking.contains($0) }
            guard !others.isEmpty else { throw CallRefusal.noCallees }
            guard !callees.isEmpty else { throw CallRefusal.blocked }
            guard callees.count <= maxCallees else { throw CallRefusal.tooManyCallees }
            let call = CallRecord(id: IDs.make(), tenantId: caller.tenantId, conversationId: conversationId,
                                  callerUserId: caller.userId, media: media, state: .ringing, ringExpiresAt: ringExpiresAt)
            try await q.insertCall(call, callees: callees, at: now)
            // The VoIP pushes go on the outbound queue in this transaction: iOS PushKit tokens
            // (`kind: voip`) and Android's FCM tokens (a data message) of every callee.
            let callerName = caller.user.displayName ?? caller.user.externalId
            let jobs = Self.voipPushes(for: call, callees: callees, callerName: callerName, sentAt: now).flatMap { callee in
                [OutboundJob.userPush(UserPush(tenantId: caller.tenantId, userId: callee.userId, deviceKind: .voip,
                                               content: .call(callee.push), platform: .ios)),
                 OutboundJob.userPush(UserPush(tenantId: caller.tenantId, userId: callee.userId, deviceKind: .alert,
                                               content: .call(callee.push), platform: .android))]
            }
            let incoming = CallIncomingEvent(callId: call.id, conversationId: conversationId, callerUserId: caller.userId,
                                             media: media)
            let events = try callees.map { try DomainEvent.realtime(topic: RealtimeMessage.userTopic($0),
                                                                    event: CallEvent.incoming, encoding: incoming) }
            return Change(CallInvitation(callId: call.id, conversationId: conversationId, calleeUserIds: callees,
                                         media: media), events: events, jobs: jobs)
        }
    }

    /// What the outbound queue sends for a new call: one VoIP push payload per callee, keyed by
    /// the callee's user id.
    static func voipPushes(for call: CallRecord, callees: [String], callerName: String,
                           sentAt: Int64) -> [(userId: String, push: PushCall)] {
        callees.map { userId in
            (userId, PushCall(callId: call.id, conversationId: call.conversationId, callerUserId: call.callerUserId,
                              callerName: callerName, media: call.media.rawValue, sentAtMillis: sentAt / 1_000))
        }
    }

    /// `call:accept`, `call:decline`, `call:busy` from a callee still ringing.
    private func answer(_ fields: [String: JSONValue], _ status: CallParticipantStatus,
                        by caller: UserPrincipal) async throws -> Reply {
        let callId = try Self.id(fields, "call_id")
        let now = configuration.now()
        return try await committer.commit(lane: try await lane(callId, caller)) { q -> Change<Reply> in
            let (call, participants) = try await Self.load(callId, fields, caller, q)
            guard let mine = participants.first(where: { $0.userId == caller.userId }), mine.status != .caller else {
                throw CallRefusal.forbidden
            }
            guard call.state != .ended else { throw CallRefusal.callEnded }
            if call.state == .ringing, now >= call.ringExpiresAt {
                // Too late: the sweep has not ended it yet, so this answer does.
                return Change(.failure(.callEnded), events: try await Self.ringOut(call, participants, at: now, q))
            }
            guard mine.status == .ringing, try await q.answerCall(callId: callId, userId: caller.userId, status: status,
                                                                    at: now)
            else { throw CallRefusal.alreadyAnswered }
            let event: String
            switch status {
            case .accepted:
                guard try await q.transitionCall(id: callId, from: [.ringing, .active], to: .active, at: now) else {
                    throw CallRefusal.callEnded
                }
                event = CallEvent.accepted
            default:
                event = status == .busy ? CallEvent.busyEvent : CallEvent.declined
                // Nobody left to answer and nobody in the call: the call is over.
                let others = participants.filter { $0.userId != caller.userId && $0.status != .caller }
                if call.state == .ringing, !others.contains(where: { $0.status == .ringing || $0.status == .accepted }) {
                    _ = try await q.transitionCall(id: callId, from: [.ringing], to: .ended, endReason: status.rawValue,
                                                   at: now)
                }
            }
            let payload = CallUserEvent(callId: callId, conversationId: call.conversationId, userId: caller.userId)
            return Change(.success(Self.reply(call)), events: try Self.toEveryone(participants, event, payload))
        }
    }

    /// The caller gives up before anyone answered.
    private func cancel(callId: String, _ fields: [String: JSONValue], by caller: UserPrincipal) async throws -> Reply {
        let now = configuration.now()
        return try await committer.commit(lane: try await lane(callId, caller)) { q -> Change<Reply> in
            let (call, participants) = try await Self.load(callId, fields, caller, q)
            guard call.callerUserId == caller.userId else { throw CallRefusal.forbidden }
            return try await Self.cancel(call, participants, at: now, q)
        }
    }

    /// A participant in the call ends it for everyone; the caller hanging up a call still
    /// ringing cancels it.
    private func hangUp(callId: String, _ fields: [String: JSONValue], by caller: UserPrincipal) async throws -> Reply {
        let now = configuration.now()
        return try await committer.commit(lane: try await lane(callId, caller)) { q -> Change<Reply> in
            let (call, participants) = try await Self.load(callId, fields, caller, q)
            guard let mine = participants.first(where: { $0.userId == caller.userId }),
                  mine.status == .caller || mine.status == .accepted
            else { throw CallRefusal.forbidden }
            if call.state == .ringing { return try await Self.cancel(call, participants, at: now, q) }
            guard try await q.transitionCall(id: callId, from: [.active], to: .ended, endReason: "hangup", at: now) else {
                throw CallRefusal.callEnded
            }
            let payload = CallUserEvent(callId: callId, conversationId: call.conversationId, userId: caller.userId)
            return Change(.success(Self.reply(call)), events: try Self.toEveryone(participants, CallEvent.ended, payload))
        }
    }

    /// Ends the calls that rang for `ringTimeout` without an answer (every node runs this; the
    /// conditional update lets only one of them end each call). Returns how many it ended.
    @discardableResult
    func expireRinging(limit: Int = 100) async throws -> Int {
        let now = configuration.now()
        let due = try await store.read { try await $0.ringingCallsExpired(at: now, limit: limit) }
        var ended = 0
        for (id, tenantId) in due {
            let lane = try await store.read { try await $0.call(id: id, tenantId: tenantId)?.conversationId }
            ended += try await committer.commit(lane: lane) { q -> Change<Int> in
                guard let call = try await q.call(id: id, tenantId: tenantId), call.state == .ringing else { return Change(0) }
                let events = try await Self.ringOut(call, try await q.callParticipants(callId: id), at: now, q)
                return Change(events.isEmpty ? 0 : 1, events: events)
            }
        }
        return ended
    }

    // MARK: - Helpers

    private static func cancel(_ call: CallRecord, _ participants: [(userId: String, status: CallParticipantStatus)],
                               at now: Int64, _ q: Queries) async throws -> Change<Reply> {
        if call.state == .active { throw CallRefusal.callActive }
        guard try await q.transitionCall(id: call.id, from: [.ringing], to: .ended,
                                         endReason: CallCancelledEvent.Reason.cancelled, at: now)
        else { throw CallRefusal.callEnded }
        let payload = CallCancelledEvent(callId: call.id, conversationId: call.conversationId,
                                         callerUserId: call.callerUserId, reason: CallCancelledEvent.Reason.cancelled)
        return Change(.success(reply(call)), events: try toEveryone(participants, CallEvent.cancelled, payload))
    }

    /// Ends a ringing call nobody answered in time: `call:cancelled` (`no_answer`) to everyone.
    private static func ringOut(_ call: CallRecord, _ participants: [(userId: String, status: CallParticipantStatus)],
                                at now: Int64, _ q: Queries) async throws -> [DomainEvent] {
        guard try await q.transitionCall(id: call.id, from: [.ringing], to: .ended,
                                         endReason: CallCancelledEvent.Reason.noAnswer, at: now)
        else { return [] }
        let payload = CallCancelledEvent(callId: call.id, conversationId: call.conversationId,
                                         callerUserId: call.callerUserId, reason: CallCancelledEvent.Reason.noAnswer)
        return try toEveryone(participants, CallEvent.cancelled, payload)
    }

    /// The call and its participants; `not_found` unless it is in the caller's tenant and, when
    /// the push names a conversation, in that conversation.
    private static func load(_ callId: String, _ fields: [String: JSONValue], _ caller: UserPrincipal,
                             _ q: Queries) async throws -> (CallRecord, [(userId: String, status: CallParticipantStatus)]) {
        guard let call = try await q.call(id: callId, tenantId: caller.tenantId) else { throw CallRefusal.notFound }
        if let conversationId = fields["conversation_id"]?.stringValue, conversationId != call.conversationId {
            throw CallRefusal.notFound
        }
        let participants = try await q.callParticipants(callId: callId)
        guard participants.contains(where: { $0.userId == caller.userId }) else { throw CallRefusal.forbidden }
        return (call, participants)
    }

    /// The conversation whose publish lane a change of the call takes (its events then keep
    /// their order with the invite's).
    private func lane(_ callId: String, _ caller: UserPrincipal) async throws -> String? {
        try await store.read { try await $0.call(id: callId, tenantId: caller.tenantId)?.conversationId }
    }

    /// The event on every participant's `user:<id>`, the actor included (their other devices
    /// stop ringing).
    private static func toEveryone<Payload: Encodable>(_ participants: [(userId: String, status: CallParticipantStatus)],
                                                       _ event: String, _ payload: Payload) throws -> [DomainEvent] {
        try participants.map { try DomainEvent.realtime(topic: RealtimeMessage.userTopic($0.userId), event: event,
                                                        encoding: payload) }
    }

    private static func reply(_ call: CallRecord) -> JSONValue {
        ["call_id": .string(call.id), "conversation_id": .string(call.conversationId)]
    }

    private static func id(_ fields: [String: JSONValue], _ key: String) throws -> String {
        guard let text = fields[key]?.stringValue, let id = IDs.canonical(text) else { throw CallRefusal.invalidPayload }
        return id
    }

    private static func media(_ value: JSONValue) throws -> CallMedia {
        if value == .null { return .audio }
        guard let text = value.stringValue, CallMedia.known.contains(CallMedia(rawValue: text)) else {
            throw CallRefusal.invalidPayload
        }
        return CallMedia(rawValue: text)
    }
}
