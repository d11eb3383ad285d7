/// What a key asks of the world beyond the screen; the controller carries it out.
public enum ChatEffect: Equatable, Sendable {
    /// Open this conversation (join, load, mark read).
    case open(conversationID: String)
    /// Carry out a command typed in the input line.
    case run(ChatCommand)
    /// The user typed in the open conversation: tell the peers.
    case typing
    /// Load a page of older messages.
    case loadOlder
    /// Repaint every line (Ctrl-L).
    case redraw
    /// Leave.
    case quit
}
