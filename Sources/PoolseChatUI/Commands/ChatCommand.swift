/// What a line typed in the input means: a message, or one of the slash commands.
public enum ChatCommand: Equatable, Sendable {
    /// Plain text: a message to the open conversation (or thread).
    case message(String)
    /// `/new NAME @bob @carol`: a group with these members (external ids, without "@").
    case newGroup(name: String, members: [String])
    /// `/dm @bob`: the direct conversation with one user.
    case direct(String)
    /// `/add @dave …`: adds members to the open conversation.
    case add([String])
    /// `/react 👍`: toggles a reaction on the selected message.
    case react(String)
    /// `/reply TEXT`: a thread reply to the selected message.
    case reply(String)
    /// `/thread`: opens the selected message's thread.
    case thread
    /// `/edit TEXT`: replaces the selected message's text; `/edit` alone puts it in the input line.
    case edit(String?)
    /// `/delete`: deletes the selected message.
    case delete
    /// `/upload PATH [caption]`: sends a file.
    case upload(path: String, caption: String?)
    /// `/download [DIR]`: saves the selected message's attachments (default: the current directory).
    case download(directory: String?)
    /// `/search WORDS`: searches every conversation.
    case search(String)
    /// `/quit`.
    case quit
    /// `?` or `/help`.
    case help
}

/// A line the command parser refuses, with the sentence shown in the status line.
public struct CommandError: Error, Equatable, Sendable {
    /// What is wrong and how to write it instead.
    public let message: String
}
