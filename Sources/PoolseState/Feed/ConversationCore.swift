import Foundation
import Observation

/// The state of one conversation that every model of it shares: details, members, who is
/// here and typing, and the message window. It consumes the conversation channel (one
/// ordered stream, on the main actor), reconciles REST answers with live events, and
/// writes through to the store.
///
/// **Exactness.** Until the first sync after a join, message events are held. The sync
/// then either catches the cached window up (`GET …/messages?after=` from its newest
/// sequence, thread replies included) or, when the cache is more than a window behind,
/// replaces it with the newest page; the held events follow, deduplicated by id. After a
/// reconnect the channel's own gap fill delivers what was missed, in order, and the sync
/// that follows each rejoin refreshes the newest page for edits and deletions made meanwhile.
@MainActor @Observable
final class ConversationCore {
    let id: String
    private(set) var window: FeedWindow
    private(set) var conversation: Conversation?
    private(set) var members: [Membership] = []
    private(set) var presence: PresenceState = [:]
    /// Peers typing now, by user id.
    private(set) var typing: [String: TypingEvent] = [:]
    private(set) var isSynced = false
    private(set) var isLoadingOlder = false
    private(set) var lastError: (any Error)?

    @ObservationIgnored private weak var session: PoolseSession?
    private let client: Poolse
    private let store: PoolseStore?
    private let pageSize: Int
    @ObservationIgnored private var held: [ConversationEvent] = []
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []
    @ObservationIgnored private var syncing = false
    @ObservationIgnored private var syncAgain = false

    init(id: String, session: PoolseSession) {
        self.id = id
        self.session = session
        client = session.client
        store = session.store
        pageSize = session.configuration.pageSize
        window = FeedWindow(limit: session.configuration.windowSize)
        // The last known state, before the network answers.
        if let store {
            conversation = try? store.conversation(id)
            members = (try? store.members(of: id)) ?? []
            let cached = (try? store.messages(of: id)) ?? []
            window.append(newer: cached, reachedEnd: true)
            window.hasOlder = !cached.isEmpty
        }
    }

    /// Rows for display: the window (sent), then this conversation's main-feed sends
    /// still in the outbox, in the order they were made.
    var rows: [ChatMessage] {
        var rows = window.messages.map { ChatMessage(message: $0, delivery: .sent) }
        if let session {
            rows += session.outbox.rows(for: id).filter { !window.contains($0.id) }
        }
        return rows
    }

    func start() {
        let channel = client.realtime.conversation(id)
        let events = channel.events()
        let states = channel.stateStream()
        tasks.append(Task { [weak self] in
            for await event in events { self?.handle(event) }
        })
        tasks.append(Task { [weak self] in
            for await state in states {
                if case .joined = state { await self?.sync() }
            }
        })
        if case .joined = channel.state { tasks.append(Task { [weak self] in await self?.sync() }) }
    }

    func stop() {
        tasks.forEach { $0.cancel() }
        tasks = []
    }

    // MARK: - Server data in

    /// Takes in a message from the server (answer, event, catch-up) and stores it.
    func applyServer(_ message: Message) {
        guard window.apply(message) else {
            session?.outbox.confirm(message.id)
            return
        }
        var changed = [message]
        if let root = message.threadRootId, let updatedRoot = window.message(root) { changed = [updatedRoot] }
        try? store?.save(messages: changed, of: id)
        session?.outbox.confirm(message.id)
        if message.threadRootId == nil { typing[message.senderId] = nil }
    }

    private func handle(_ event: ConversationEvent) {
        switch event {
        case .typingStart(let typing): self.typing[typing.userId] = typing
        case .typingStop(let typing): self.typing[typing.userId] = nil
        case .presenceState(let snapshot): presence = snapshot
        case .presenceDiff(let diff): presence = presence.applying(diff)
        case .memberRead(let read): applyRead(read)
        default:
            guard isSynced else {
                held.append(event)
                return
            }
            applyHistory(event)
        }
    }

    private func applyHistory(_ event: ConversationEvent) {
        switch event {
        case .message(let message), .messageUpdated(let message):
            applyServer(message)
        case .messageDeleted(let deleted):
            let tombstone = window.update(deleted.id) { Self.makeTombstone(&$0, at: deleted.deletedAt ?? Date()) }
            if tombstone != nil, let message = window.message(deleted.id) { try? store?.save(messages: [message], of: id) }
        case .reactionAdded(let reaction):
            window.update(reaction.messageId) { Self.add(reaction.userId, reaction.emoji, to: &$0) }
        case .reactionRemoved(let reaction):
            window.update(reaction.messageId) { Self.remove(reaction.userId, reaction.emoji, from: &$0) }
        default:
            break
        }
    }

    private func applyRead(_ read: MemberReadEvent) {
        guard let index = members.firstIndex(where: { $0.userId == read.userId }) else { return }
        members[index].lastReadMessageId = read.lastReadMessageId
        members[index].lastReadAt = read.lastReadAt
        if let messageID = read.lastReadMessageId, let message = window.message(messageID) {
            members[index].lastReadSequence = max(members[index].lastReadSequence, message.sequence)
        }
    }

    // MARK: - Sync

    /// Brings details, members and the window level with the server; runs after every join.
    func sync() async {
        guard !syncing else {
            syncAgain = true
            return
        }
        syncing = true
        defer { syncing = false }
        repeat {
            syncAgain = false
            do {
                try await syncOnce()
                lastError = nil
            } catch is CancellationError {
                return
            } catch {
                lastError = error
                return
            }
        } while syncAgain
    }

    private func syncOnce() async throws {
        let handle = client.conversations.one(id)
        let details = try await handle.show()
        conversation = details
        try? store?.save(conversations: [details], replacingAll: false)
        let memberList = try await handle.listMembers().data
        members = memberList
        try? store?.save(members: memberList, of: id)

        if let newest = window.newestSequence, !window.hasNewer,
           details.lastSequence - newest <= Int64(window.limit) {
            var after = newest
            while true {
                let page = try await handle.messages.list(limit: 200, after: after).data
                page.forEach(applyServer)
                guard page.count == 200, let last = page.last?.sequence else { break }
                after = last
            }
            // Edits and deletions of recent messages made while we were away.
            let recent = try await handle.messages.list(limit: min(window.limit, 200)).data
            for message in recent where window.contains(message.id) { applyServer(message) }
        } else {
            let page = try await handle.messages.list(limit: pageSize).data
            window.replaceAll(with: page.reversed(), hasOlder: page.count == pageSize,
                              lastSequence: details.lastSequence)
            try? store?.save(messages: window.messages, of: id, replacingAll: true)
            window.messages.forEach { session?.outbox.confirm($0.id) }
        }
        if !isSynced {
            isSynced = true
            let pending = held
            held = []
            pending.forEach(applyHistory)
        }
    }

    // MARK: - Paging

    /// One page of older main-feed messages in front of the window.
    func loadOlder() async throws {
        guard window.hasOlder, !isLoadingOlder else { return }
        isLoadingOlder = true
        defer { isLoadingOlder = false }
        let before = window.oldestSequence
        let page = try await client.conversations.one(id).messages.list(limit: pageSize, before: before).data
        window.prepend(older: page, hasOlder: page.count == pageSize)
    }

    /// Newer main-feed messages after the window, when paging back pushed them out.
    func loadNewer() async throws {
        guard window.hasNewer, let newest = window.newestSequence else { return }
        let page = try await client.conversations.one(id).messages.list(limit: 200, after: newest).data
        window.append(newer: page, reachedEnd: page.count < 200)
    }

    // MARK: - Optimistic changes

    /// Applies `change` at once, runs `request`, takes in its answer, or rolls back.
    func optimistic(_ messageID: String, _ change: (inout Message) -> Void,
                    request: () async throws -> Message?) async throws {
        let before = window.update(messageID, change)
        let after = window.message(messageID)
        do {
            if let answer = try await request() { applyServer(answer) }
        } catch {
            if let before, let after { window.rollBack(to: before, ifStill: after) }
            throw error
        }
    }

    func message(_ id: String) -> Message? { window.message(id) }

    static func makeTombstone(_ message: inout Message, at date: Date) {
        message.deletedAt = date
        message.body = nil
        message.attachments = []
        message.reactions = [:]
        message.mentions = []
    }

    static func add(_ userID: String, _ emoji: String, to message: inout Message) {
        var users = message.reactions[emoji] ?? []
        if !users.contains(userID) { users.append(userID) }
        message.reactions[emoji] = users
    }

    static func remove(_ userID: String, _ emoji: String, from message: inout Message) {
        var users = message.reactions[emoji] ?? []
        users.removeAll { $0 == userID }
        message.reactions[emoji] = users.isEmpty ? nil : users
    }
}
