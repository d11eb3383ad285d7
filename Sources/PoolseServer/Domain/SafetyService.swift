import Foundation
import PoolseWire

/// What a user can do against abuse (block a user, mute a conversation, report) and what
/// moderators can do (ban from a conversation, review reports). Apple's guideline 1.2 asks
/// apps with user content for blocking and reporting; operators need the rest.
struct SafetyService: Sendable {
    let store: Store
    let limits: Limits
    let committer: ChangeCommitter
    var validate: Validation { Validation(limits: limits) }

    /// The longest free-text note on a report, and on a ban's reason.
    static let maxNoteLength = 2_000
    static let maxBanReasonLength = 500
    /// "Muted until unmuted" is stored as this far date (the column holds a time, not a flag).
    static let indefinitely = WireTime.date(micros: 253_402_300_799_000_000)  // 9999-12-31T23:59:59Z

    // MARK: - Blocks

    func block(_ request: BlockRequest, by caller: UserPrincipal) async throws -> Block {
        let userId = try validate.uuid(request.userId, field: "user_id")
        guard userId != caller.userId else { throw DomainError.validation("user_id", "you can't block yourself") }
        return try await committer.commit(lane: nil) { q in
            guard try await q.user(id: userId, tenantId: caller.tenantId) != nil else { throw DomainError.notFound("user") }
            let block = try await q.insertBlock(tenantId: caller.tenantId, blocker: caller.userId, blocked: userId,
                                                at: WallClock.nowMicros())
            return Change(block, events: [try await Self.blocksChanged(caller.userId, q)])
        }
    }

    /// Lifts a block; lifting one that does not exist is not an error.
    func unblock(userId: String, by caller: UserPrincipal) async throws {
        try await committer.commit(lane: nil) { q in
            guard try await q.deleteBlock(blocker: caller.userId, blocked: userId) else { return Change(events: []) }
            return Change(events: [try await Self.blocksChanged(caller.userId, q)])
        }
    }

    /// Tells every gateway whom `userId` blocks now (typing and presence are filtered there).
    private static func blocksChanged(_ userId: String, _ q: Queries) async throws -> DomainEvent {
        .command(.blocksChanged(userId: userId, blocked: try await q.blocks(blocker: userId).map(\.userId)))
    }

    func blocks(of caller: UserPrincipal) async throws -> [Block] {
        try await store.read { try await $0.blocks(blocker: caller.userId) }
    }

    // MARK: - Mutes

    /// Mutes the conversation for the caller until `until` (indefinitely when nil).
    func mute(conversationId: String, until: Date?, by caller: UserPrincipal) async throws -> Membership {
        if let until, until <= Date() { throw DomainError.validation("until", "must be in the future") }
        return try await setMute(conversationId, until: until ?? Self.indefinitely, caller)
    }

    func unmute(conversationId: String, by caller: UserPrincipal) async throws -> Membership {
        try await setMute(conversationId, until: nil, caller)
    }

    private func setMute(_ conversationId: String, until: Date?, _ caller: UserPrincipal) async throws -> Membership {
        try await committer.commit(lane: conversationId) { q in
            _ = try await ConversationService.visibleConversation(id: conversationId, caller: caller, q)
            _ = try await q.setMute(conversationId: conversationId, userId: caller.userId, until: until.map(WireTime.micros),
                                    at: WallClock.nowMicros())
            guard let membership = try await q.membership(conversationId: conversationId, userId: caller.userId) else {
                throw DomainError.internalError
            }
            return Change(membership)
        }
    }

    // MARK: - Reports

    /// Reports a message the caller can see, or a user of the tenant. A message report keeps the
    /// body as it is now, so deleting the message later does not destroy the evidence.
    func report(_ request: ReportCreateRequest, by caller: UserPrincipal) async throws -> Report {
        guard (request.messageId == nil) != (request.userId == nil) else {
            throw DomainError.validation("message_id", "give either message_id or user_id")
        }
        guard ReportReason.known.contains(request.reason) else {
            throw DomainError.validation("reason", "must be spam, harassment, hate, sexual, violence or other")
        }
        try validate.optionalText(request.note, field: "note", maxLength: Self.maxNoteLength)
        let messageId = try request.messageId.map { try validate.uuid($0, field: "message_id") }
        let userId = try request.userId.map { try validate.uuid($0, field: "user_id") }
        return try await committer.commit(lane: nil) { q in
            let now = WireTime.date(micros: WallClock.nowMicros())
            var report = Report(id: IDs.make(), tenantId: caller.tenantId, reporterId: caller.userId, messageId: nil,
                                userId: userId, conversationId: nil, reason: request.reason, note: request.note,
                                messageBody: nil, status: .open, resolutionNote: nil, resolvedAt: nil,
                                insertedAt: now, updatedAt: now)
            if let messageId {
                // Only a message the caller may read can be reported (404 otherwise, as for reading it).
                guard let message = try await q.message(id: messageId, tenantId: caller.tenantId),
                      try await q.membership(conversationId: message.conversationId, userId: caller.userId) != nil
                else { throw DomainError.notFound("message") }
                report.messageId = message.id
                report.userId = message.senderId
                report.conversationId = message.conversationId
                report.messageBody = message.body
            } else if let userId {
                guard userId != caller.userId else { throw DomainError.validation("user_id", "you can't report yourself") }
                guard try await q.user(id: userId, tenantId: caller.tenantId) != nil else {
                    throw DomainError.notFound("user")
                }
            }
            try await q.insertReport(report)
            return Change(report, jobs: [try .webhook(WebhookEvent.reportCreated, tenantId: caller.tenantId,
                                                      conversationId: nil, report)])
        }
    }

    /// A page of the tenant's reports, oldest first, and the cursor of the next page.
    func reports(tenantId: String, status: ReportStatus?, cursor: String?, limit: Int) async throws -> ReportPage {
        if let status, ![ReportStatus.open, .resolved, .dismissed].contains(status) {
            throw DomainError.validation("status", "must be open, resolved or dismissed")
        }
        let after = try cursor.map(ReportPage.decodeCursor)
        let page = try await store.read { try await $0.reports(tenantId: tenantId, status: status, after: after, limit: limit) }
        let next = page.count == limit ? page.last.map { ReportPage.cursor(after: $0) } : nil
        return ReportPage(data: page, nextCursor: next)
    }

    func resolveReport(id: String, tenantId: String, _ request: ReportUpdateRequest) async throws -> Report {
        guard request.status == .resolved || request.status == .dismissed else {
            throw DomainError.validation("status", "must be resolved or dismissed")
        }
        try validate.optionalText(request.resolutionNote, field: "resolution_note", maxLength: Self.maxNoteLength)
        return try await committer.commit(lane: nil) { q in
            guard var report = try await q.report(id: id, tenantId: tenantId) else { throw DomainError.notFound("report") }
            let now = WireTime.date(micros: WallClock.nowMicros())
            report.status = request.status
            report.resolutionNote = request.resolutionNote
            report.resolvedAt = now
            report.updatedAt = now
            try await q.updateReport(report)
            return Change(report)
        }
    }

    // MARK: - Bans

    /// Bans a user from a conversation: they are removed at once (their sockets on every node
    /// leave the topic) and can't be added again until the ban ends.
    func ban(conversationId: String, _ request: BanRequest, by moderator: Principal) async throws -> Ban {
        let userId = try validate.uuid(request.userId, field: "user_id")
        if let until = request.until, until <= Date() { throw DomainError.validation("until", "must be in the future") }
        try validate.optionalText(request.reason, field: "reason", maxLength: Self.maxBanReasonLength)
        return try await committer.commit(lane: conversationId) { q in
            let (record, moderatorRole) = try await Self.moderatedConversation(conversationId, moderator, q)
            guard record.conversation.type == .group else {
                throw DomainError.validation("conversation", "direct conversations have no bans: block the user instead")
            }
            guard try await q.user(id: userId, tenantId: record.conversation.tenantId) != nil else {
                throw DomainError.notFound("user")
            }
            if case .user(let caller) = moderator, caller.userId == userId {
                throw DomainError.validation("user_id", "you can't ban yourself")
            }
            let target = try await q.membership(conversationId: conversationId, userId: userId)
            if target?.role == .owner { throw DomainError.forbidden("the owner can't be banned") }
            if target?.role == .admin, moderatorRole != .owner, moderatorRole != nil {
                throw DomainError.forbidden("only the owner can ban admins")
            }
            let now = WireTime.date(micros: WallClock.nowMicros())
            var bannedBy: String?
            if case .user(let caller) = moderator { bannedBy = caller.userId }
            let ban = Ban(conversationId: conversationId, userId: userId, bannedBy: bannedBy, reason: request.reason,
                          until: request.until.map { WireTime.date(micros: WireTime.micros($0)) }, insertedAt: now)
            try await q.upsertBan(ban, tenantId: record.conversation.tenantId)
            guard target != nil, try await q.deleteMembership(conversationId: conversationId, userId: userId) else {
                return Change(ban)
            }
            return Change(ban, events: [
                .command(.revokeMembership(conversationId: conversationId, userId: userId)),
                .conversationUpdated(conversationId: conversationId, tenantId: record.conversation.tenantId,
                                     byUserId: bannedBy, recipients: nil, includeMembers: true),
            ])
        }
    }

    /// Lifts a ban; lifting one that does not exist is not an error.
    func unban(conversationId: String, userId: String, by moderator: Principal) async throws {
        try await committer.commit(lane: conversationId) { q in
            _ = try await Self.moderatedConversation(conversationId, moderator, q)
            _ = try await q.deleteBan(conversationId: conversationId, userId: userId)
            return Change(events: [])
        }
    }

    func bans(conversationId: String, for moderator: Principal) async throws -> [Ban] {
        try await store.read { q in
            _ = try await Self.moderatedConversation(conversationId, moderator, q)
            return try await q.bans(conversationId: conversationId, now: WallClock.nowMicros())
        }
    }

    /// The conversation when `moderator` may moderate it: an owner or admin (their role is
    /// returned), or the tenant's API key (nil role). Members get 403, others 404.
    static func moderatedConversation(_ id: String, _ moderator: Principal,
                                      _ q: Queries) async throws -> (ConversationRecord, MemberRole?) {
        switch moderator {
        case .tenant(let tenantId, _):
            guard let record = try await q.conversation(id: id, tenantId: tenantId) else {
                throw DomainError.notFound("conversation")
            }
            return (record, nil)
        case .user(let caller):
            let record = try await ConversationService.visibleConversation(id: id, caller: caller, q)
            return (record, try await ConversationService.requireManager(conversationId: id, caller: caller, q))
        }
    }
}

/// A page of reports (`GET /v1/reports`).
struct ReportPage: Codable, Sendable {
    let data: [Report]
    /// Pass as `cursor` for the next page; nil on the last page.
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }

    /// The opaque cursor after `report`: its time and id.
    static func cursor(after report: Report) -> String {
        Data("\(WireTime.micros(report.insertedAt)):\(report.id)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ text: String) throws -> (Int64, String) {
        guard let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8),
              let colon = plain.firstIndex(of: ":"), let micros = Int64(plain[..<colon])
        else { throw DomainError.validation("cursor", "is not a cursor this server gave") }
        return (micros, String(plain[plain.index(after: colon)...]))
    }
}
