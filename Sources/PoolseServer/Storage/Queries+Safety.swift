import PoolseWire
import SQLKit

/// Blocks between users, bans from conversations and reports (the safety surface).
extension Queries {
    // MARK: - Blocks

    /// Records that `blocker` blocks `blocked`; the existing block when there is one.
    func insertBlock(tenantId: String, blocker: String, blocked: String, at time: Int64) async throws -> Block {
        try await db.raw("""
            INSERT INTO user_blocks (tenant_id, blocker_id, blocked_id, created_at)
            VALUES (\(bind: tenantId), \(bind: blocker), \(bind: blocked), \(bind: time))
            ON CONFLICT (blocker_id, blocked_id) DO NOTHING
            """).run()
        let row = try await db.raw("""
            SELECT blocked_id, created_at FROM user_blocks WHERE blocker_id = \(bind: blocker) AND blocked_id = \(bind: blocked)
            """).first()
        return Block(userId: blocked, blockedAt: try row?.date("created_at") ?? WireTime.date(micros: time))
    }

    func deleteBlock(blocker: String, blocked: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM user_blocks WHERE blocker_id = \(bind: blocker) AND blocked_id = \(bind: blocked) RETURNING blocked_id
            """).first() != nil
    }

    /// Whom `blocker` blocks, newest first.
    func blocks(blocker: String) async throws -> [Block] {
        try await db.raw("""
            SELECT blocked_id, created_at FROM user_blocks WHERE blocker_id = \(bind: blocker)
            ORDER BY created_at DESC, blocked_id
            """).all().map { Block(userId: try $0.string("blocked_id"), blockedAt: try $0.date("created_at")) }
    }

    /// Whether `blocker` blocks `blocked`.
    func blocks(_ blocker: String, _ blocked: String) async throws -> Bool {
        try await db.raw("""
            SELECT 1 AS x FROM user_blocks WHERE blocker_id = \(bind: blocker) AND blocked_id = \(bind: blocked)
            """).first() != nil
    }

    /// The members of a conversation who block `sender` (their sockets must not get its events).
    func membersBlocking(_ sender: String, conversationId: String) async throws -> [String] {
        try await db.raw("""
            SELECT b.blocker_id FROM user_blocks b
            JOIN memberships m ON m.user_id = b.blocker_id AND m.conversation_id = \(bind: conversationId)
            WHERE b.blocked_id = \(bind: sender)
            """).all().map { try $0.string("blocker_id") }
    }

    // MARK: - Bans

    /// Bans (or re-bans with new terms) a user from a conversation.
    func upsertBan(_ ban: Ban, tenantId: String) async throws {
        let until = ban.until.map(WireTime.micros)
        try await db.raw("""
            INSERT INTO conversation_bans (conversation_id, user_id, tenant_id, banned_by, reason, until, inserted_at)
            VALUES (\(bind: ban.conversationId), \(bind: ban.userId), \(bind: tenantId), \(bind: ban.bannedBy),
              \(bind: ban.reason), \(bind: until), \(bind: WireTime.micros(ban.insertedAt)))
            ON CONFLICT (conversation_id, user_id) DO UPDATE SET banned_by = \(bind: ban.bannedBy),
              reason = \(bind: ban.reason), until = \(bind: until), inserted_at = \(bind: WireTime.micros(ban.insertedAt))
            """).run()
    }

    func deleteBan(conversationId: String, userId: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM conversation_bans WHERE conversation_id = \(bind: conversationId) AND user_id = \(bind: userId)
            RETURNING user_id
            """).first() != nil
    }

    /// The bans in force at `now`, newest first.
    func bans(conversationId: String, now: Int64) async throws -> [Ban] {
        try await db.raw("""
            SELECT conversation_id, user_id, banned_by, reason, until, inserted_at FROM conversation_bans
            WHERE conversation_id = \(bind: conversationId) AND (until IS NULL OR until > \(bind: now))
            ORDER BY inserted_at DESC, user_id
            """).all().map(Self.ban)
    }

    /// Of `userIds`, those banned from the conversation at `now`.
    func bannedUsers(conversationId: String, among userIds: [String], now: Int64) async throws -> Set<String> {
        guard !userIds.isEmpty else { return [] }
        return Set(try await db.raw("""
            SELECT user_id FROM conversation_bans
            WHERE conversation_id = \(bind: conversationId) AND user_id IN (\(binds: userIds))
              AND (until IS NULL OR until > \(bind: now))
            """).all().map { try $0.string("user_id") })
    }

    static func ban(_ row: any SQLRow) throws -> Ban {
        Ban(conversationId: try row.string("conversation_id"), userId: try row.string("user_id"),
            bannedBy: try row.optionalString("banned_by"), reason: try row.optionalString("reason"),
            until: try row.optionalDate("until"), insertedAt: try row.date("inserted_at"))
    }

    // MARK: - Reports

    func insertReport(_ report: Report) async throws {
        try await db.raw("""
            INSERT INTO reports (id, tenant_id, reporter_id, message_id, user_id, conversation_id, reason, note,
              message_body, status, inserted_at, updated_at)
            VALUES (\(bind: report.id), \(bind: report.tenantId), \(bind: report.reporterId), \(bind: report.messageId),
              \(bind: report.userId), \(bind: report.conversationId), \(bind: report.reason.rawValue), \(bind: report.note),
              \(bind: report.messageBody), \(bind: report.status.rawValue), \(bind: WireTime.micros(report.insertedAt)),
              \(bind: WireTime.micros(report.updatedAt)))
            """).run()
    }

    func report(id: String, tenantId: String) async throws -> Report? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.reportColumns) FROM reports WHERE id = \(bind: id) AND tenant_id = \(bind: tenantId)
            """).first().map(Self.report)
    }

    /// A tenant's reports with `status` (all when nil), oldest first, after the cursor `(time, id)`.
    func reports(tenantId: String, status: ReportStatus?, after cursor: (Int64, String)?, limit: Int) async throws -> [Report] {
        let statusClause: SQLQueryString = status.map { "AND status = \(bind: $0.rawValue)" } ?? ""
        let cursorClause: SQLQueryString = cursor.map {
            "AND (inserted_at > \(bind: $0.0) OR (inserted_at = \(bind: $0.0) AND id > \(bind: $0.1)))"
        } ?? ""
        return try await db.raw("""
            SELECT \(unsafeRaw: Self.reportColumns) FROM reports WHERE tenant_id = \(bind: tenantId) \(statusClause) \(cursorClause)
            ORDER BY inserted_at, id LIMIT \(bind: limit)
            """).all().map(Self.report)
    }

    func updateReport(_ report: Report) async throws {
        try await db.raw("""
            UPDATE reports SET status = \(bind: report.status.rawValue), resolution_note = \(bind: report.resolutionNote),
              resolved_at = \(bind: report.resolvedAt.map(WireTime.micros)), updated_at = \(bind: WireTime.micros(report.updatedAt))
            WHERE id = \(bind: report.id) AND tenant_id = \(bind: report.tenantId)
            """).run()
    }

    private static let reportColumns = """
        id, tenant_id, reporter_id, message_id, user_id, conversation_id, reason, note, message_body, status,
        resolution_note, resolved_at, inserted_at, updated_at
        """

    static func report(_ row: any SQLRow) throws -> Report {
        Report(id: try row.string("id"), tenantId: try row.string("tenant_id"), reporterId: try row.string("reporter_id"),
               messageId: try row.optionalString("message_id"), userId: try row.optionalString("user_id"),
               conversationId: try row.optionalString("conversation_id"),
               reason: ReportReason(rawValue: try row.string("reason")), note: try row.optionalString("note"),
               messageBody: try row.optionalString("message_body"), status: ReportStatus(rawValue: try row.string("status")),
               resolutionNote: try row.optionalString("resolution_note"), resolvedAt: try row.optionalDate("resolved_at"),
               insertedAt: try row.date("inserted_at"), updatedAt: try row.date("updated_at"))
    }

    // MARK: - A user's messages

    /// Up to `limit` live messages of a user, oldest first (for moderator bulk deletion).
    func liveMessageIds(senderId: String, tenantId: String, limit: Int) async throws -> [(id: String, conversationId: String)] {
        try await db.raw("""
            SELECT id, conversation_id FROM messages
            WHERE sender_id = \(bind: senderId) AND tenant_id = \(bind: tenantId) AND deleted_at IS NULL
            ORDER BY inserted_at, id LIMIT \(bind: limit)
            """).all().map { (try $0.string("id"), try $0.string("conversation_id")) }
    }

    func liveMessageCount(senderId: String, tenantId: String) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM messages
            WHERE sender_id = \(bind: senderId) AND tenant_id = \(bind: tenantId) AND deleted_at IS NULL
            """).first()?.int("n") ?? 0
    }
}
