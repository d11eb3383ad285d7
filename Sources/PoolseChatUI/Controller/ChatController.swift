import Foundation
import Observation
import PoolseState

/// Wires the screen state to the state layer: copies what the models show into
/// ``ChatState`` whenever one of them changes, and carries out the ``ChatEffect``s that
/// keys produce (open, send, typing, commands). Everything runs on the main actor, like
/// the models.
@MainActor
public final class ChatController {
    /// What the screen shows now.
    public internal(set) var state: ChatState
    /// The terminal's size, for the keys that scroll by a page.
    public var size: ScreenSize
    /// Called after the state changed by itself (a model changed, a command finished).
    public var onChange: () -> Void = {}

    let session: PoolseSession
    let inbox: InboxModel
    let connection: RealtimeStatusModel
    var people: ConversationModel?
    var feed: MessageListModel?
    var threadModel: ThreadModel?
    let calendar: Calendar
    /// The conversation a read is on its way for, so one unread message is marked read once.
    private var markingRead: String?
    /// A read that failed (offline): not tried again until the unread count changes.
    private var failedRead: (id: String, unread: Int)?
    private var stopped = false
    /// The current observation scope (see ``observe()``).
    private var generation = 0

    /// A controller for the signed-in user of `session`; `me` is their external id as far
    /// as it is known before the server answers.
    public init(session: PoolseSession, me: String, size: ScreenSize, calendar: Calendar = .current) {
        self.session = session
        self.size = size
        self.calendar = calendar
        state = ChatState(me: me)
        inbox = InboxModel(session: session)
        connection = RealtimeStatusModel(session: session)
        connection.connect()
        observe()
    }

    /// Applies a key; false when the user asked to quit.
    public func handle(_ key: Key) -> Bool {
        let effects = state.handle(key, size: size)
        for effect in effects {
            switch effect {
            case .quit: return false
            case .open(let id): open(id)
            case .typing: people?.sendTyping()
            case .loadOlder: loadOlder()
            case .redraw: break
            case .run(let command): run(command)
            }
        }
        return true
    }

    /// Stops following the models and closes the session (the store, if any, is kept).
    public func stop() {
        stopped = true
        session.close()
    }

    /// Opens a conversation: its feed, people and channel, and marks it read.
    func open(_ id: String) {
        refresh()  // a conversation just created must be in the list for the highlight to find it
        state.didOpen(id)
        threadModel = nil
        people = ConversationModel(session: session, conversationID: id)
        feed = MessageListModel(session: session, conversationID: id)
        observe()  // the new models must be watched too, not only read once
        onChange()
    }

    private func loadOlder() {
        guard let feed else { return }
        Task {
            do { try await feed.loadOlder() } catch { self.notice(error) }
        }
    }

    // MARK: - Models → state

    /// Copies the models into the state inside an observation scope, and does it again
    /// (then asks for a redraw) whenever something it read changes.
    /// Each call starts a new generation; a change seen by an older scope is dropped, so
    /// re-observing after ``open(_:)`` or a thread does not pile up scopes.
    func observe() {
        guard !stopped else { return }
        generation += 1
        let current = generation
        withObservationTracking { refresh() } onChange: { [weak self] in
            Task { @MainActor in
                guard let self, !self.stopped, self.generation == current else { return }
                self.observe()
                self.onChange()
            }
        }
    }

    func refresh() {
        let me = session.me?.externalId ?? state.me
        state.me = me
        state.connection = RowMapping.connection(session.status)
        state.waiting = connection.outboxCount
        let highlightedID = state.conversations.indices.contains(state.highlighted) ? state.conversations[state.highlighted].id : nil
        state.conversations = inbox.conversations.map { RowMapping.row($0, me: me) }
        // The highlight stays on its conversation when the activity order changes.
        if let highlightedID, let index = state.conversations.firstIndex(where: { $0.id == highlightedID }) {
            state.highlighted = index
        } else {
            state.highlighted = min(state.highlighted, max(0, state.conversations.count - 1))
        }
        guard let id = state.openConversationID, let feed, let people else { return }
        let details = people.conversation ?? inbox.conversations.first { $0.id == id }
        if let details {
            let members = people.members.map(\.externalId)
            // Sorted: the server lists members in no promised order, and the title must not jump.
            let names = (members.isEmpty ? (details.memberExternalIds ?? []) : members).sorted()
            state.openTitle = RowMapping.name(of: details, me: me) + (details.name == nil ? "" : " · " + names.joined(separator: ", "))
        }
        state.messages = feed.messages.map { RowMapping.row($0, calendar: calendar) }
        if let selected = state.selectedMessageID, !state.messages.contains(where: { $0.id == selected }) {
            state.selectedMessageID = nil
        }
        state.hasOlder = feed.hasOlder
        state.isLoadingOlder = feed.isLoadingOlder
        state.typing = people.typing.map { $0.externalId ?? $0.userId }
        // Presence is only known while connected; a stale list would claim people are here.
        state.online = state.connection == .connected
            ? people.presence.values.compactMap { $0.metas.first?.externalId }.sorted() : []
        if let threadModel, state.thread?.rootID == threadModel.rootID {
            state.thread?.root = threadModel.root.map { RowMapping.row($0, calendar: calendar) }
            state.thread?.replies = threadModel.replies.map { RowMapping.row($0, calendar: calendar) }
        }
        markReadIfUnread(id)
    }

    /// Reading marks read: an open conversation with unread messages is marked read
    /// (the inbox drops its count at once), one request at a time.
    private func markReadIfUnread(_ id: String) {
        guard markingRead == nil, let row = state.conversations.first(where: { $0.id == id }), row.unread > 0 else { return }
        if let failedRead, failedRead.id == id, failedRead.unread == row.unread { return }
        markingRead = id
        Task {
            do {
                try await inbox.markRead(id)
                failedRead = nil
            } catch {
                failedRead = (id, row.unread)
            }
            markingRead = nil
        }
    }

    func notice(_ error: any Error) {
        state.notice = (error as? any PoolseError)?.message ?? String(describing: error)
        onChange()
    }

    func notice(_ text: String) {
        state.notice = text
        onChange()
    }

    func setUpload(_ upload: ChatState.Upload?) {
        state.upload = upload
        onChange()
    }

    func showSearch(_ query: String, _ results: [SearchRow]?) {
        state.overlay = .search(query: query, results: results)
        onChange()
    }

    func setInput(_ text: String) {
        state.input = InputLine(text)
    }

    func showThread(_ rootID: String) {
        state.openThread(rootID)
    }
}
