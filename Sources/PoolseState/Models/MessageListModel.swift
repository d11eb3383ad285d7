import Foundation
import Observation

/// The main feed of one conversation, oldest to newest, for a list view: the Swift
/// counterpart of `useMessages`.
///
/// ```swift
/// let feed = MessageListModel(session: session, conversationID: id)
/// let clientID = try feed.send("Hello")      // shown at once as pending
/// ```
///
/// Sends go through the session's outbox: a row appears at once with
/// ``DeliveryState/pending`` and its client id, and turns ``DeliveryState/sent`` when the
/// answer or the realtime echo arrives, whichever is first (same id, so it never shows
/// twice). Refused for good, it shows ``DeliveryState/failed(_:)`` until ``retry(_:)``
/// or ``discard(_:)``. Edits, deletions and reactions show at once and roll back when the
/// server refuses them. Thread replies stay out of the feed; they raise their root's
/// `replyCount` (see ``ThreadModel``).
@MainActor @Observable
public final class MessageListModel {
    /// The conversation id.
    public let conversationID: String
    private let session: PoolseSession
    private let core: ConversationCore

    /// Opens the feed: the cached messages at once (with a store), then the server's.
    public init(session: PoolseSession, conversationID: String) {
        self.session = session
        self.conversationID = conversationID
        core = session.conversation(conversationID)
    }

    /// The rows, oldest first: the window of sent messages, then pending and failed sends.
    public var messages: [ChatMessage] { core.rows }
    /// The server has older messages: ``loadOlder()`` fetches a page.
    public var hasOlder: Bool { core.window.hasOlder }
    /// Paging back pushed the newest messages out of the window: ``loadNewer()``.
    public var hasNewer: Bool { core.window.hasNewer }
    /// A ``loadOlder()`` is running.
    public var isLoadingOlder: Bool { core.isLoadingOlder }
    /// True once the feed has been reconciled with the server (false while showing only the cache).
    public var isSynced: Bool { core.isSynced }
    /// The last error of a background sync (nil after a sync that worked).
    public var lastError: (any Error)? { core.lastError }

    /// Fetches one page of older messages (``PoolseSession/Configuration/pageSize``) in
    /// front; the window keeps at most ``PoolseSession/Configuration/windowSize``, dropping
    /// the newest if it must.
    public func loadOlder() async throws { try await core.loadOlder() }

    /// Fetches newer messages back after paging far back.
    public func loadNewer() async throws { try await core.loadNewer() }

    /// Sends a message through the outbox and returns its client id at once.
    /// - Parameters:
    ///   - body: The text; may be nil only with attachments.
    ///   - attachments: Files to upload first (they upload when the send goes out, also after a relaunch).
    ///   - quoting: A message of this conversation to quote.
    ///   - mentions: Poolse user ids to notify.
    /// - Throws: ``InvalidRequestError`` for an empty message; the store's error when the
    ///   send could not be written down (then nothing was queued).
    @discardableResult
    public func send(_ body: String?, attachments: [AttachmentUploadInput] = [], quoting: String? = nil,
                     mentions: [String] = []) throws -> String {
        try enqueue(session: session, conversationID: conversationID, body: body, attachments: attachments,
                    request: MessageCreateRequest(quotedMessageId: quoting, mentions: mentions.isEmpty ? nil : mentions))
    }

    /// Posts a failed send again (same client id, same idempotency key).
    public func retry(_ id: String) { session.outbox.retry(id) }

    /// Drops a failed or pending send from the outbox (and the store).
    public func discard(_ id: String) { session.outbox.discard(id) }

    /// Replaces a sent message's body at once; rolls back if the server refuses.
    /// - Throws: the SDK's error (``APIError`` 403, 409 `message_deleted`, …).
    public func edit(_ id: String, body: String) async throws {
        try await core.optimistic(id, { $0.body = body; $0.editedAt = Date() }) {
            try await session.client.messages.one(id).update(body: body)
        }
    }

    /// Deletes a message at once (a tombstone stays); rolls back if the server refuses. A
    /// send still in the outbox is discarded instead.
    public func delete(_ id: String) async throws {
        if session.outbox.contains(id) {
            session.outbox.discard(id)
            return
        }
        try await core.optimistic(id, { ConversationCore.makeTombstone(&$0, at: Date()) }) {
            try await session.client.messages.one(id).delete()
            return nil
        }
    }

    /// Toggles the signed-in user's reaction `emoji` on a message at once; rolls back if
    /// the server refuses.
    public func react(_ id: String, emoji: String) async throws {
        guard let userID = session.me?.id, let message = core.message(id) else {
            throw InvalidRequestError(message: "react needs a sent message and a known user")
        }
        let handle = session.client.messages.one(id)
        if message.reactions[emoji]?.contains(userID) == true {
            try await core.optimistic(id, { ConversationCore.remove(userID, emoji, from: &$0) }) {
                try await handle.removeReaction(emoji)
            }
        } else {
            try await core.optimistic(id, { ConversationCore.add(userID, emoji, to: &$0) }) {
                try await handle.addReaction(emoji)
            }
        }
    }

    /// Moves the signed-in user's read cursor to the newest sent message.
    public func markRead() async throws {
        guard let newest = core.window.messages.last else { return }
        try await session.client.conversations.one(conversationID).messages.markRead(newest.id)
    }
}

/// Builds and queues a send; shared by the feed and the thread.
@MainActor
func enqueue(session: PoolseSession, conversationID: String, body: String?, attachments: [AttachmentUploadInput],
             request: MessageCreateRequest) throws -> String {
    if (body ?? "").isEmpty && attachments.isEmpty {
        throw InvalidRequestError(message: "a message needs a body or attachments")
    }
    var request = request
    request.body = body
    let entry = session.newOutboxEntry(conversationID: conversationID, request: request, attachments: attachments)
    try session.outbox.enqueue(entry)
    return entry.id
}
