import Foundation
import Observation

/// The thread under one message, oldest reply first: the Swift counterpart of `useThread`.
/// Replies arrive live (and after a reconnect, through the channel's gap fill); a reply
/// sent here is optimistic like any send and raises the root's `replyCount` in every
/// ``MessageListModel`` of the conversation once the server has it.
@MainActor @Observable
public final class ThreadModel {
    /// The conversation id.
    public let conversationID: String
    /// The root message's id.
    public let rootID: String
    /// The replies the server has, oldest first.
    public private(set) var sentReplies: [Message] = []
    /// The last error of ``load()`` (nil after one that worked).
    public private(set) var lastError: (any Error)?

    private let session: PoolseSession
    private let core: ConversationCore
    @ObservationIgnored private var task: Task<Void, Never>?
    @ObservationIgnored private var deliveryObserver: UInt64?

    /// Opens the thread of `rootID` and starts following it; call ``load()`` for the replies so far.
    public init(session: PoolseSession, conversationID: String, rootID: String) {
        self.session = session
        self.conversationID = conversationID
        self.rootID = rootID
        core = session.conversation(conversationID)
        let events = session.client.realtime.conversation(conversationID).events()
        task = Task { [weak self] in
            for await event in events { self?.handle(event) }
        }
        deliveryObserver = session.observeDeliveries { [weak self] message in self?.take(message) }
    }

    isolated deinit {
        task?.cancel()
        if let deliveryObserver { session.stopObservingDeliveries(deliveryObserver) }
    }

    /// The root message, when the conversation's window holds it.
    public var root: Message? { core.message(rootID) }

    /// The replies for display: sent ones, then pending and failed sends of this thread.
    public var replies: [ChatMessage] {
        let ids = Set(sentReplies.map(\.id))
        return sentReplies.map { ChatMessage(message: $0, delivery: .sent) }
            + session.outbox.rows(for: conversationID, thread: rootID, replyIDs: ids).filter { !ids.contains($0.id) }
    }

    /// Fetches every reply (`GET /v1/messages/:id/replies`, all pages).
    public func load() async throws {
        do {
            var after: Int64?
            while true {
                let page = try await session.client.messages.one(rootID).replies(limit: 500, after: after).data
                page.forEach(take)
                guard page.count == 500, let last = page.last?.sequence else { break }
                after = last
            }
            lastError = nil
        } catch {
            lastError = error
            throw error
        }
    }

    /// Sends a reply to the root through the outbox; returns its client id at once.
    @discardableResult
    public func send(_ body: String?, attachments: [AttachmentUploadInput] = []) throws -> String {
        try enqueue(session: session, conversationID: conversationID, body: body, attachments: attachments,
                    request: MessageCreateRequest(replyToId: rootID))
    }

    private func handle(_ event: ConversationEvent) {
        switch event {
        case .message(let message), .messageUpdated(let message): take(message)
        case .messageDeleted(let deleted):
            guard let index = sentReplies.firstIndex(where: { $0.id == deleted.id }) else { return }
            ConversationCore.makeTombstone(&sentReplies[index], at: deleted.deletedAt ?? Date())
        default: break
        }
    }

    private func take(_ message: Message) {
        guard message.threadRootId == rootID, message.id != rootID else { return }
        if let index = sentReplies.firstIndex(where: { $0.id == message.id }) {
            if message.updatedAt >= sentReplies[index].updatedAt { sentReplies[index] = message }
            return
        }
        let position = sentReplies.firstIndex { $0.sequence > message.sequence } ?? sentReplies.endIndex
        sentReplies.insert(message, at: position)
    }
}
