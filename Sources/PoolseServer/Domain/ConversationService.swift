import Foundation
import PoolseWire

/// Conversations and their members (PROTOCOL.md §4), with the role rules.
struct ConversationService: Sendable {
    let store: Store
    let limits: Limits
    let committer: ChangeCommitter
    let provisionBudget: ProvisionBudget
    var validate: Validation { Validation(limits: limits) }

    func list(for caller: UserPrincipal) async throws -> [Conversation] {
        try await store.read { q in
            let records = try await q.conversations(userId: caller.userId, tenantId: caller.tenantId)
            return try await Self.views(records.map(\.conversation), for: caller.userId, q)
        }
    }

    func show(id: String, for caller: UserPrincipal) async throws -> Conversation {
        try await store.read { q in
            let record = try await Self.visibleConversation(id: id, caller: caller, q)
            return try await Self.views([record.conversation], for: caller.userId, q)[0]
        }
    }

    /// Creates a conversation; a direct conversation that already exists for the pair is
    /// returned instead (`created == false`).
    func create(_ request: ConversationCreateRequest, by caller: UserPrincipal) async throws -> (Conversation, created: Bool) {
        guard ConversationType.known.contains(request.type) else {
            throw DomainError.validation("type", "must be direct or group")
        }
        try validate.optionalText(request.name, field: "name", maxLength: limits.maxNameLength)
        try validate.optionalText(request.avatarURL, field: "avatar_url", maxLength: 2_048)
        try validate.memberLimit(request.memberLimit)
        try validate.jsonObject(request.customData, field: "custom_data")
        try validate.jsonObject(request.settings, field: "settings")
        let others = try validate.externalIds(request.memberExternalIds ?? [], field: "member_external_ids")
            .filter { $0 != caller.user.externalId }
        if request.type == .direct, others.count != 1 {
            throw DomainError.validation("member_external_ids", "a direct conversation has exactly one other member")
        }
        let limit = min(request.memberLimit ?? limits.maxMembersPerConversation, limits.maxMembersPerConversation)
        if others.count + 1 > limit { throw DomainError.memberLimitReached(limit) }

        let now = Date()
        return try await committer.commit(lane: nil) { q -> Change<(Conversation, created: Bool)> in
            let members = try await provision(others, caller: caller, q)
            var directKey: String?
            if request.type == .direct {
                // A user who blocks the caller gets no new direct conversation from them.
                for member in members where try await q.blocks(member.id, caller.userId) { throw DomainError.blocked }
                let key = ([caller.userId] + members.map(\.id)).sorted().joined(separator: ":")
                if let existing = try await q.conversation(directKey: key, tenantId: caller.tenantId) {
                    return Change((try await Self.views([existing.conversation], for: caller.userId, q)[0], false))
                }
                directKey = key
            }
            let conversation = Conversation(
                id: IDs.make(), tenantId: caller.tenantId, type: request.type, name: request.name,
                avatarURL: request.avatarURL, createdByUserId: caller.userId,
                memberLimit: request.type == .direct ? 2 : request.memberLimit, customData: request.customData,
                settings: request.settings, insertedAt: now, updatedAt: now)
            guard try await q.insertConversation(ConversationRecord(conversation: conversation, directKey: directKey)) else {
                // A concurrent request created the same direct pair first.
                guard let key = directKey, let existing = try await q.conversation(directKey: key, tenantId: caller.tenantId)
                else { throw DomainError.internalError }
                return Change((try await Self.views([existing.conversation], for: caller.userId, q)[0], false))
            }
            let roles = [(caller.user, MemberRole.owner)] + members.map { ($0, MemberRole.member) }
            for (user, role) in roles {
                _ = try await q.insertMembership(Membership(
                    id: IDs.make(), tenantId: caller.tenantId, conversationId: conversation.id, userId: user.id,
                    externalId: user.externalId, role: role, insertedAt: now, updatedAt: now))
            }
            let view = try await Self.views([conversation], for: caller.userId, q)[0]
            return Change((view, true), events: [.conversationCreated(
                conversationId: conversation.id, tenantId: caller.tenantId, recipients: roles.map(\.0.id))], jobs: [
                try .webhook(WebhookEvent.conversationCreated, tenantId: caller.tenantId, conversationId: conversation.id,
                             conversation),
            ])
        }
    }

    /// Updates a conversation (owner/admin, or the tenant's API key). `frozen` freezes it.
    func update(id: String, _ request: ConversationUpdateRequest, by moderator: Principal) async throws -> Conversation {
        if let name = request.name { try validate.optionalText(name, field: "name", maxLength: limits.maxNameLength) }
        if let url = request.avatarURL { try validate.optionalText(url, field: "avatar_url", maxLength: 2_048) }
        if let limit = request.memberLimit { try validate.memberLimit(limit) }
        if let data = request.customData { try validate.jsonObject(data, field: "custom_data") }
        if let settings = request.settings { try validate.jsonObject(settings, field: "settings") }
        return try await committer.commit(lane: id) { q in
            var (record, _) = try await SafetyService.moderatedConversation(id, moderator, q)
            var c = record.conversation
            if let frozen = request.frozen { c.frozen = frozen }
            if let name = request.name { c.name = name }
            if let url = request.avatarURL { c.avatarURL = url }
            if let limit = request.memberLimit {
                if c.type == .direct { throw DomainError.validation("member_limit", "can't change on a direct conversation") }
                let count = try await q.memberCount(conversationId: id)
                if let limit, limit < count {
                    throw DomainError.validation("member_limit", "is below the current member count (\(count))")
                }
                c.memberLimit = limit
            }
            if let data = request.customData { c.customData = data }
            if let settings = request.settings { c.settings = settings }
            c.updatedAt = Date()
            try await q.updateConversation(c)
            record.conversation = c
            // Each member gets their own unread count, read when the event is published.
            var byUserId: String?
            var view = c
            if case .user(let caller) = moderator {
                byUserId = caller.userId
                view = try await Self.views([c], for: caller.userId, q)[0]
            } else {
                view.memberExternalIds = try await q.memberExternalIds(conversationIds: [id])[id] ?? []
            }
            var hooked = view
            hooked.unreadCount = nil
            return Change(view, events: [.conversationUpdated(
                conversationId: id, tenantId: c.tenantId, byUserId: byUserId, recipients: nil, includeMembers: true)], jobs: [
                try .webhook(WebhookEvent.conversationUpdated, tenantId: c.tenantId, conversationId: id, hooked),
            ])
        }
    }

    func members(conversationId: String, for caller: UserPrincipal) async throws -> [Membership] {
        try await store.read { q in
            _ = try await Self.visibleConversation(id: conversationId, caller: caller, q)
            return try await q.memberships(conversationId: conversationId)
        }
    }

    /// Adds members (owner/admin); returns the membership of every requested user.
    func addMembers(conversationId: String, _ request: AddMembersRequest, by caller: UserPrincipal) async throws -> [Membership] {
        let role = request.role ?? .member
        guard role == .member || role == .admin else {
            throw DomainError.validation("role", "must be member or admin")
        }
        let externalIds = try validate.externalIds(request.externalIds, field: "external_ids")
        if externalIds.isEmpty { throw DomainError.validation("external_ids", "can't be blank") }
        return try await committer.commit(lane: conversationId) { q in
            let record = try await Self.visibleConversation(id: conversationId, caller: caller, q)
            let callerRole = try await Self.requireManager(conversationId: conversationId, caller: caller, q)
            if role == .admin, callerRole != .owner { throw DomainError.forbidden("only the owner can add admins") }
            if record.conversation.type == .direct {
                throw DomainError.validation("external_ids", "a direct conversation has exactly two members")
            }
            let users = try await provision(externalIds, caller: caller, q)
            let existing = Set(try await q.memberships(conversationId: conversationId).map(\.userId))
            let newUsers = users.filter { !existing.contains($0.id) }
            if !(try await q.bannedUsers(conversationId: conversationId, among: newUsers.map(\.id),
                                         now: WallClock.nowMicros())).isEmpty {
                throw DomainError.banned
            }
            let limit = min(record.conversation.memberLimit ?? limits.maxMembersPerConversation,
                            limits.maxMembersPerConversation)
            if existing.count + newUsers.count > limit { throw DomainError.memberLimitReached(limit) }
            let now = Date()
            for user in newUsers {
                _ = try await q.insertMembership(Membership(
                    id: IDs.make(), tenantId: caller.tenantId, conversationId: conversationId, userId: user.id,
                    externalId: user.externalId, role: role, insertedAt: now, updatedAt: now))
            }
            let wanted = Set(users.map(\.id))
            let all = try await q.memberships(conversationId: conversationId).filter { wanted.contains($0.userId) }
            guard !newUsers.isEmpty else { return Change(all) }
            let added = all.filter { member in newUsers.contains { $0.id == member.userId } }
            return Change(all, events: [.conversationCreated(conversationId: conversationId, tenantId: caller.tenantId,
                                                             recipients: newUsers.map(\.id))],
                          jobs: try added.map {
                              try .webhook(WebhookEvent.memberAdded, tenantId: caller.tenantId, conversationId: conversationId, $0)
                          })
        }
    }

    /// Removes a member: owner/admin remove anyone but the owner; anyone removes themself.
    func removeMember(conversationId: String, userId: String, by caller: UserPrincipal) async throws {
        try await committer.commit(lane: conversationId) { q in
            _ = try await Self.visibleConversation(id: conversationId, caller: caller, q)
            guard let target = try await q.membership(conversationId: conversationId, userId: userId) else {
                throw DomainError.notFound("member")
            }
            if userId != caller.userId {
                let role = try await Self.requireManager(conversationId: conversationId, caller: caller, q)
                if target.role == .owner { throw DomainError.forbidden("the owner can't be removed") }
                if target.role == .admin, role != .owner { throw DomainError.forbidden("only the owner can remove admins") }
            }
            guard try await q.deleteMembership(conversationId: conversationId, userId: userId) else { return Change(events: []) }
            // The removed user's sockets leave the topic at once and get nothing more from it.
            return Change(events: [.command(.revokeMembership(conversationId: conversationId, userId: userId))], jobs: [
                try .webhook(WebhookEvent.memberRemoved, tenantId: caller.tenantId, conversationId: conversationId, target),
            ])
        }
    }

    // MARK: - Helpers shared with MessageService

    /// The conversation when the caller is a member; 404 otherwise, so existence never leaks.
    static func visibleConversation(id: String, caller: UserPrincipal, _ q: Queries) async throws -> ConversationRecord {
        guard let record = try await q.conversation(id: id, tenantId: caller.tenantId),
              try await q.membership(conversationId: id, userId: caller.userId) != nil
        else { throw DomainError.notFound("conversation") }
        return record
    }

    /// The conversation and the caller's membership; 404 unless the caller is a member.
    static func visibleMembership(id: String, caller: UserPrincipal,
                                  _ q: Queries) async throws -> (ConversationRecord, Membership) {
        guard let record = try await q.conversation(id: id, tenantId: caller.tenantId),
              let membership = try await q.membership(conversationId: id, userId: caller.userId)
        else { throw DomainError.notFound("conversation") }
        return (record, membership)
    }

    /// Refuses a write in a frozen conversation unless the writer is an owner or admin.
    static func requireWritable(_ conversation: Conversation, role: MemberRole) throws {
        if conversation.frozen, !role.canManage { throw DomainError.conversationFrozen }
    }

    /// Refuses a message into a direct conversation whose other member blocks the sender.
    static func requireNotBlocked(in record: ConversationRecord, sender: String, _ q: Queries) async throws {
        guard record.conversation.type == .direct, let key = record.directKey else { return }
        for other in key.split(separator: ":").map(String.init) where other != sender {
            if try await q.blocks(other, sender) { throw DomainError.blocked }
        }
    }

    /// The caller's role when it is owner or admin; 403 otherwise.
    @discardableResult
    static func requireManager(conversationId: String, caller: UserPrincipal, _ q: Queries) async throws -> MemberRole {
        guard let membership = try await q.membership(conversationId: conversationId, userId: caller.userId) else {
            throw DomainError.notFound("conversation")
        }
        guard membership.role.canManage else { throw DomainError.forbidden("only the owner or an admin can do this") }
        return membership.role
    }

    /// Conversations as `userId` sees them: with unread count and member external ids.
    static func views(_ conversations: [Conversation], for userId: String, _ q: Queries) async throws -> [Conversation] {
        let ids = conversations.map(\.id)
        let unread = try await q.unreadCounts(userId: userId, conversationIds: ids)
        let members = try await q.memberExternalIds(conversationIds: ids)
        return conversations.map { c in
            var c = c
            c.unreadCount = unread[c.id] ?? 0
            c.memberExternalIds = members[c.id] ?? []
            return c
        }
    }

    /// Looks up users by external id, creating the unknown ones within the token's budget.
    private func provision(_ externalIds: [String], caller: UserPrincipal, _ q: Queries) async throws -> [User] {
        guard !externalIds.isEmpty else { return [] }
        let known = try await q.users(externalIds: externalIds, tenantId: caller.tenantId)
        let byExternalId = Dictionary(known.map { ($0.externalId, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = externalIds.filter { byExternalId[$0] == nil }
        try await provisionBudget.reserve(missing.count, tokenId: caller.tokenId)
        var result: [User] = []
        let now = Date()
        for externalId in externalIds {
            if let user = byExternalId[externalId] {
                result.append(user)
            } else {
                let user = User(id: IDs.make(), tenantId: caller.tenantId, externalId: externalId, insertedAt: now,
                                updatedAt: now)
                guard let stored = try await q.insertOrFetchUser(user) else { throw DomainError.internalError }
                result.append(stored.user)
            }
        }
        return result
    }
}
