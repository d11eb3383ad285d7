import Foundation
import Observation

/// The signed-in user's conversations, most recent activity first, with unread counts and
/// last-message previews: the Swift counterpart of `useConversations`. Shows the cached
/// list at once (with a store), then the server's, then follows the user channel
/// (`conversation:created`, `conversation:updated`).
@MainActor @Observable
public final class InboxModel {
    /// The conversations, most recent activity first (`lastMessageAt`, else creation).
    public private(set) var conversations: [Conversation] = []
    /// True once the list has been fetched from the server.
    public private(set) var isLoaded = false
    /// The last error of ``refresh()`` (nil after one that worked).
    public private(set) var lastError: (any Error)?

    private let session: PoolseSession
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []

    /// Opens the inbox: the cached list now, the server's as soon as it answers.
    public init(session: PoolseSession) {
        self.session = session
        conversations = (try? session.store?.conversations()) ?? []
        tasks.append(Task { [weak self] in await self?.follow() })
    }

    isolated deinit {
        tasks.forEach { $0.cancel() }
    }

    /// The sum of the unread counts.
    public var totalUnread: Int { conversations.reduce(0) { $0 + ($1.unreadCount ?? 0) } }

    /// Fetches the list again (`GET /v1/conversations`) and stores it.
    public func refresh() async throws {
        do {
            let list = try await session.client.conversations.list().data
            conversations = Self.sorted(list)
            try? session.store?.save(conversations: list, replacingAll: true)
            isLoaded = true
            lastError = nil
        } catch {
            lastError = error
            throw error
        }
    }

    /// Creates a conversation (the signed-in user becomes its owner) and shows it at once.
    public func create(_ attributes: ConversationCreateRequest) async throws -> Conversation {
        let created = try await session.client.conversations.create(attributes)
        upsert(created)
        return created
    }

    /// Marks a conversation read up to its newest message: the unread count drops to 0 at
    /// once and comes back if the server refuses.
    public func markRead(_ conversationID: String) async throws {
        guard let index = conversations.firstIndex(where: { $0.id == conversationID }) else { return }
        let before = conversations[index]
        conversations[index].unreadCount = 0
        do {
            let newest = try await session.client.conversations.one(conversationID).messages.list(limit: 1).data
            if let message = newest.first {
                try await session.client.conversations.one(conversationID).messages.markRead(message.id)
            }
        } catch {
            if let index = conversations.firstIndex(where: { $0.id == conversationID }),
               conversations[index].unreadCount == 0 {
                conversations[index].unreadCount = before.unreadCount
            }
            throw error
        }
    }

    private func follow() async {
        // The user channel needs the user's id: from the store or `GET /v1/me`.
        var userID = session.me?.id
        if userID == nil { userID = try? await session.client.me.show().id }
        guard let userID, !Task.isCancelled else {
            try? await refresh()
            return
        }
        let channel = session.client.realtime.user(userID)
        let events = channel.events()
        let states = channel.stateStream()
        tasks.append(Task { [weak self] in
            // Every (re)join refreshes: updates missed while offline are not replayed.
            for await state in states { if case .joined = state { try? await self?.refresh() } }
        })
        try? await refresh()
        for await event in events {
            switch event {
            case .conversationCreated(let conversation): upsert(conversation)
            case .conversationUpdated(let update): upsert(update.conversation)
            case .mention: break
            }
        }
    }

    private func upsert(_ conversation: Conversation) {
        var list = conversations.filter { $0.id != conversation.id }
        var merged = conversation
        if merged.memberExternalIds == nil {
            merged.memberExternalIds = conversations.first { $0.id == conversation.id }?.memberExternalIds
        }
        list.append(merged)
        conversations = Self.sorted(list)
        try? session.store?.save(conversations: [merged], replacingAll: false)
    }

    private static func sorted(_ list: [Conversation]) -> [Conversation] {
        list.sorted {
            let left = PoolseStore.activity(of: $0), right = PoolseStore.activity(of: $1)
            return left != right ? left > right : $0.id < $1.id
        }
    }
}
