import Foundation
import Observation

/// The state layer of one signed-in user: the SDK client, the optional offline store, the
/// outbox, and the per-conversation state the models share. Create one per sign-in, hand
/// it to the models, and call ``signOut()`` when the user leaves.
///
/// ```swift
/// let session = PoolseSession(client: chat, store: try PoolseStore(path: path))
/// let inbox = InboxModel(session: session)
/// let feed = MessageListModel(session: session, conversationID: id)
/// ```
///
/// Two models of the same conversation share one state: what one sends, edits or loads
/// the other shows. Everything runs on the main actor; the SDK's work happens off it.
@MainActor @Observable
public final class PoolseSession {
    /// Sizes and delays of the state layer.
    public struct Configuration: Sendable {
        /// The most messages a message list holds in memory (default 500); older ones fall
        /// out as new ones arrive, and ``MessageListModel/loadOlder()`` brings them back.
        public var windowSize: Int
        /// Messages per ``MessageListModel/loadOlder()`` page (default 50, at most 200).
        public var pageSize: Int
        /// The first wait before the outbox tries again after a network error or a 5xx
        /// (default 1 s); it doubles per failure up to ``outboxMaxRetryDelay``. The outbox
        /// also tries at once when the realtime socket reconnects.
        public var outboxRetryDelay: Duration
        /// The longest wait between outbox attempts (default 30 s).
        public var outboxMaxRetryDelay: Duration

        /// Creates a configuration; every argument has the default documented on its property.
        public init(windowSize: Int = 500, pageSize: Int = 50, outboxRetryDelay: Duration = .seconds(1),
                    outboxMaxRetryDelay: Duration = .seconds(30)) {
            self.windowSize = max(1, windowSize)
            self.pageSize = min(200, max(1, pageSize))
            self.outboxRetryDelay = outboxRetryDelay
            self.outboxMaxRetryDelay = max(outboxRetryDelay, outboxMaxRetryDelay)
        }
    }

    /// The SDK client the models talk through.
    public let client: Poolse
    /// The offline store, or nil to keep everything in memory.
    public let store: PoolseStore?
    /// The sizes and delays in use.
    public let configuration: Configuration

    /// The signed-in user: from the store at once when it has one, then from `GET /v1/me`.
    public private(set) var me: Me?
    /// The realtime socket's status, live.
    public private(set) var status: RealtimeStatus
    /// True once ``signOut()`` or ``close()`` ran: the models stop and show nothing more.
    public private(set) var isSignedOut = false

    let outbox: Outbox
    @ObservationIgnored private var conversations: [String: ConversationCore] = [:]
    @ObservationIgnored private var deliveryObservers: [UInt64: (Message) -> Void] = [:]
    @ObservationIgnored private var lastObserverID: UInt64 = 0
    @ObservationIgnored private var tasks: [Task<Void, Never>] = []

    /// Starts the session: shows the store's user at once, asks the server who the user is
    /// (wiping the store if it belonged to someone else), follows the socket's status and
    /// resumes the outbox once the user is confirmed.
    public init(client: Poolse, store: PoolseStore? = nil, configuration: Configuration = Configuration()) {
        self.client = client
        self.store = store
        self.configuration = configuration
        me = try? store?.owner()
        status = client.realtime.getStatus()
        outbox = Outbox(client: client, store: store, configuration: configuration)
        outbox.onDelivered = { [weak self] message in self?.delivered(message) }
        let statuses = client.realtime.statusStream()
        tasks.append(Task { [weak self] in
            for await status in statuses {
                guard let self else { return }
                self.status = status
                if status == .connected { self.outbox.drain() }
            }
        })
        tasks.append(Task { [weak self] in await self?.confirmUser() })
    }

    /// Stops every model, closes the client (``Poolse/destroy()``) and wipes the store:
    /// nothing of this user stays on the device, pending sends included.
    public func signOut() {
        guard !isSignedOut else { return }
        close()
        try? store?.wipe()
        me = nil
    }

    /// Stops every model and the outbox and closes the client, but keeps the store: the
    /// next session on it shows the cached state and resumes the pending sends. (An app
    /// that is simply quit needs nothing: the store is always written through.)
    public func close() {
        guard !isSignedOut else { return }
        isSignedOut = true
        tasks.forEach { $0.cancel() }
        tasks = []
        outbox.stop()
        conversations.values.forEach { $0.stop() }
        conversations = [:]
        client.destroy()
    }

    /// The shared state of one conversation, started on first use.
    func conversation(_ id: String) -> ConversationCore {
        if let existing = conversations[id] { return existing }
        let core = ConversationCore(id: id, session: self)
        conversations[id] = core
        core.start()
        return core
    }

    /// Calls `observer` with every message the outbox delivers (a thread hears its replies).
    func observeDeliveries(_ observer: @escaping (Message) -> Void) -> UInt64 {
        lastObserverID += 1
        deliveryObservers[lastObserverID] = observer
        return lastObserverID
    }

    func stopObservingDeliveries(_ id: UInt64) { deliveryObservers[id] = nil }

    /// A new client id and idempotency key for a send.
    func newOutboxEntry(conversationID: String, request: MessageCreateRequest,
                        attachments: [AttachmentUploadInput]) -> OutboxEntry {
        var request = request
        let id = request.id ?? UUID().uuidString.lowercased()
        request.id = id
        return OutboxEntry(id: id, conversationID: conversationID,
                           idempotencyKey: client.configuration.generateIdempotencyKey(), request: request,
                           attachments: attachments.map(OutboxAttachment.init), createdAt: Date(),
                           senderID: me?.id ?? "", senderExternalID: me?.externalId ?? "")
    }

    private func delivered(_ message: Message) {
        conversations[message.conversationId]?.applyServer(message)
        deliveryObservers.values.forEach { $0(message) }
    }

    /// `GET /v1/me` until it answers: the outbox sends nothing before the store is known
    /// to be this user's.
    private func confirmUser() async {
        var delay = configuration.outboxRetryDelay
        while !Task.isCancelled && !isSignedOut {
            do {
                let user = try await client.me.show()
                guard !isSignedOut else { return }
                if let store, (try? store.owner())?.id != user.id {
                    try store.claim(for: user)
                    outbox.reload()
                }
                me = user
                outbox.isEnabled = true
                outbox.drain()
                return
            } catch {
                guard (try? await Task.sleep(for: delay)) != nil else { return }
                delay = min(delay * 2, configuration.outboxMaxRetryDelay)
            }
        }
    }
}
