/// Everything on the screen, as plain values: what ``ChatRenderer`` draws and what
/// ``ChatState/handle(_:size:)`` changes. The controller copies the models into it.
public struct ChatState: Equatable, Sendable {
    /// The socket's state, for the header.
    public enum Connection: Equatable, Sendable { case connecting, connected, reconnecting, offline }
    /// Which side the arrow keys move in.
    public enum Focus: Equatable, Sendable { case conversations, messages }
    /// What covers the message pane for a while (Esc closes it).
    public enum Overlay: Equatable, Sendable {
        /// The keys and commands.
        case help
        /// Search results; nil while the search runs.
        case search(query: String, results: [SearchRow]?)
    }
    /// The thread pane: the root and its replies.
    public struct Thread: Equatable, Sendable {
        /// The root message's id.
        public var rootID: String
        /// The root, when the feed holds it.
        public var root: MessageRow?
        /// The replies, oldest first.
        public var replies: [MessageRow]
        /// Creates a pane.
        public init(rootID: String, root: MessageRow? = nil, replies: [MessageRow] = []) {
            self.rootID = rootID
            self.root = root
            self.replies = replies
        }
    }
    /// A running upload.
    public struct Upload: Equatable, Sendable {
        /// The file name.
        public var name: String
        /// 0…1.
        public var fraction: Double
        /// Creates one.
        public init(name: String, fraction: Double) {
            self.name = name
            self.fraction = fraction
        }
    }

    /// The signed-in user's external id.
    public var me: String
    /// The socket's state.
    public var connection: Connection = .connecting
    /// Sends waiting in the outbox.
    public var waiting = 0
    /// The list, most recent activity first.
    public var conversations: [ConversationRow] = []
    /// The highlighted row of the list.
    public var highlighted = 0
    /// The conversation shown on the right, if any.
    public var openConversationID: String?
    /// The open conversation's title line (name · members).
    public var openTitle = ""
    /// The open conversation's main feed, oldest first.
    public var messages: [MessageRow] = []
    /// The server has messages before the first one shown.
    public var hasOlder = false
    /// A page of older messages is on its way.
    public var isLoadingOlder = false
    /// The selected message (for /react, /reply, /thread, /edit, /delete, /download); nil
    /// follows the newest.
    public var selectedMessageID: String?
    /// Lines scrolled up from the newest (0 shows the bottom).
    public var scroll = 0
    /// The open thread pane, if any.
    public var thread: Thread?
    /// Help or search results over the message pane, if any.
    public var overlay: Overlay?
    /// Where ↑ ↓ move.
    public var focus: Focus = .conversations
    /// The line being typed.
    public var input = InputLine()
    /// External ids of the peers typing in the open conversation.
    public var typing: [String] = []
    /// External ids of the members online in the open conversation.
    public var online: [String] = []
    /// The last error or hint, shown in the status line until the next key.
    public var notice: String?
    /// The upload in progress, if any.
    public var upload: Upload?

    /// A state for `me` with nothing loaded yet.
    public init(me: String) { self.me = me }

    /// The selected message's row, if it is in the feed.
    public var selectedMessage: MessageRow? {
        selectedMessageID.flatMap { id in messages.first { $0.id == id } }
    }
}
