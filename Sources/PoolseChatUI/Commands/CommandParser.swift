/// Parses a typed line into a ``ChatCommand``. A line that does not start with "/" is a
/// message; "//" starts a message that begins with "/"; "?" alone is the help.
public enum CommandParser {
    /// The commands with their arguments and what they do, for the help pane and errors.
    public static let usage: [(command: String, meaning: String)] = [
        ("/new NAME @bob @carol", "create a group with these people"),
        ("/dm @bob", "open the direct conversation with bob"),
        ("/add @dave", "add people to this conversation"),
        ("/react 👍", "toggle a reaction on the selected message"),
        ("/reply TEXT", "reply in the selected message's thread"),
        ("/thread", "open the selected message's thread (Esc closes it)"),
        ("/edit [TEXT]", "change your selected message (alone: edit it in the input)"),
        ("/delete", "delete your selected message"),
        ("/upload PATH [caption]", "send a file, with a progress bar"),
        ("/download [DIR]", "save the selected message's files (default: here)"),
        ("/search WORDS", "search all your conversations"),
        ("/quit", "leave (Ctrl-C works too)"),
        ("?", "this help"),
    ]

    /// The longest conversation name `/new` accepts, in characters (the server's limit is
    /// larger; a name has to fit a conversation list).
    public static let maxNameLength = 100

    /// The command `line` means.
    /// - Throws: ``CommandError`` for an unknown command or missing or malformed arguments.
    public static func parse(_ line: String) throws(CommandError) -> ChatCommand {
        let trimmed = line.trimmingSpaces()
        if trimmed == "?" { return .help }
        if trimmed.hasPrefix("//") { return .message(String(trimmed.dropFirst())) }
        guard trimmed.hasPrefix("/") else {
            guard !trimmed.isEmpty else { throw CommandError(message: "nothing to send") }
            return .message(line)
        }
        let words = trimmed.dropFirst().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first?.lowercased() else { throw CommandError(message: "a command follows the /: ? lists them") }
        let arguments = Array(words.dropFirst())
        let rest = arguments.joined(separator: " ")
        switch name {
        case "new": return try newGroup(arguments)
        case "dm":
            guard arguments.count == 1 else { throw CommandError(message: "usage: /dm @bob") }
            return .direct(try handle(arguments[0]))
        case "add":
            guard !arguments.isEmpty else { throw CommandError(message: "usage: /add @dave [@eve …]") }
            return .add(try arguments.map(handle))
        case "react":
            guard arguments.count == 1 else { throw CommandError(message: "usage: /react 👍 (one emoji)") }
            return .react(arguments[0])
        case "reply":
            guard !rest.isEmpty else { throw CommandError(message: "usage: /reply TEXT (or /thread to open the thread)") }
            return .reply(rest)
        case "thread": return try bare(.thread, arguments, "/thread")
        case "edit": return .edit(rest.isEmpty ? nil : rest)
        case "delete": return try bare(.delete, arguments, "/delete")
        case "upload":
            guard let path = arguments.first else { throw CommandError(message: "usage: /upload PATH [caption]") }
            let caption = arguments.dropFirst().joined(separator: " ")
            return .upload(path: path, caption: caption.isEmpty ? nil : caption)
        case "download":
            guard arguments.count <= 1 else { throw CommandError(message: "usage: /download [DIR]") }
            return .download(directory: arguments.first)
        case "search":
            guard !rest.isEmpty else { throw CommandError(message: "usage: /search WORDS") }
            return .search(rest)
        case "quit", "exit", "q": return try bare(.quit, arguments, "/quit")
        case "help": return .help
        default: throw CommandError(message: "unknown command /\(name): ? lists the commands")
        }
    }

    private static func newGroup(_ arguments: [String]) throws(CommandError) -> ChatCommand {
        // The name is every word before the first @handle, so it may contain spaces.
        let nameWords = arguments.prefix { !$0.hasPrefix("@") }
        let handles = arguments.dropFirst(nameWords.count)
        let name = nameWords.joined(separator: " ")
        guard !name.isEmpty else { throw CommandError(message: "usage: /new NAME @bob @carol (the name comes first)") }
        guard name.count <= maxNameLength else {
            throw CommandError(message: "a conversation name has at most \(maxNameLength) characters")
        }
        return .newGroup(name: name, members: try handles.map(handle))
    }

    private static func handle(_ word: String) throws(CommandError) -> String {
        guard word.hasPrefix("@"), word.count > 1 else {
            throw CommandError(message: "people are written @name, not \(word)")
        }
        return String(word.dropFirst())
    }

    private static func bare(_ command: ChatCommand, _ arguments: [String], _ name: String) throws(CommandError) -> ChatCommand {
        guard arguments.isEmpty else { throw CommandError(message: "\(name) takes no arguments") }
        return command
    }
}

extension String {
    /// The string without spaces at either end (no Foundation needed).
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
