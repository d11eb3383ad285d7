/// The screen for a state: a pure function, tested without a terminal.
///
/// ```
///  poolse · ann   ● connected   online: ann, ben
/// ─────────────────┬──────────────────────────────
///  Conversations   │ Saturday · ann, ben
/// ▸ Saturday    (1)│ 12:01 ann: Hi Ben
///    Hi Ben        │   👍 1
/// ─────────────────┴──────────────────────────────
///  ben is typing…
/// > draft_
/// ```
public enum ChatRenderer {
    /// What to draw: one string per row, each exactly `size.columns` columns wide, and where
    /// the cursor goes (row and column, from 0).
    public struct Screen: Equatable, Sendable {
        /// One string per terminal row.
        public var lines: [String]
        /// The cursor's row, from 0.
        public var cursorRow: Int
        /// The cursor's column, from 0.
        public var cursorColumn: Int
    }

    /// Draws `state` on a terminal of `size`.
    public static func render(_ state: ChatState, size: ScreenSize) -> Screen {
        guard size.columns >= ScreenSize.minimum.columns, size.rows >= ScreenSize.minimum.rows else {
            return tooSmall(size)
        }
        let width = size.columns
        var lines = [header(state, width: width)]
        lines.append(String(repeating: "─", count: size.listWidth) + "┬" + String(repeating: "─", count: size.paneWidth))
        let left = conversationList(state, size: size)
        let right = pane(state, size: size)
        for row in 0..<size.bodyRows { lines.append(left[row] + "│" + right[row]) }
        lines.append(String(repeating: "─", count: size.listWidth) + "┴" + String(repeating: "─", count: size.paneWidth))
        lines.append(statusLine(state, width: width))
        let (input, cursor) = inputLine(state, width: width)
        lines.append(input)
        return Screen(lines: lines, cursorRow: size.rows - 1, cursorColumn: cursor)
    }

    // MARK: - Parts

    static func header(_ state: ChatState, width: Int) -> String {
        var parts = [" poolse · \(TextLayout.sanitize(state.me))"]
        let connection = switch state.connection {
        case .connecting: "◌ connecting…"
        case .connected: "● connected"
        case .reconnecting: "◌ reconnecting…"
        case .offline: "○ offline"
        }
        parts.append(connection)
        if state.waiting > 0 { parts.append("✉ \(state.waiting) waiting to send") }
        if !state.online.isEmpty {
            parts.append("online: " + state.online.map { TextLayout.sanitize($0) }.joined(separator: ", "))
        }
        return TextLayout.fit(parts.joined(separator: "   "), width: width)
    }

    static func conversationList(_ state: ChatState, size: ScreenSize) -> [String] {
        let width = size.listWidth
        var lines = [TextLayout.fit(" Conversations", width: width)]
        if state.conversations.isEmpty {
            lines.append(TextLayout.fit("  none yet: /new or /dm", width: width))
        }
        // Two lines per conversation; the window follows the highlighted one.
        let perPage = max(1, (size.bodyRows - 1) / 2)
        let first = max(0, min(state.highlighted - perPage + 1, state.conversations.count - perPage))
        for (index, row) in state.conversations.enumerated().dropFirst(first).prefix(perPage) {
            let marker = index == state.highlighted ? (state.focus == .conversations ? "▸" : "›") : " "
            let open = row.id == state.openConversationID ? "*" : " "
            let badge = row.unread > 0 ? " (\(row.unread))" : ""
            let nameWidth = width - 2 - TextWidth.columns(of: badge)
            lines.append(marker + open + TextLayout.fit(TextLayout.sanitize(row.name), width: nameWidth) + badge)
            lines.append(TextLayout.fit("   " + TextLayout.sanitize(row.preview ?? ""), width: width))
        }
        return padded(lines, rows: size.bodyRows, width: width)
    }

    static func pane(_ state: ChatState, size: ScreenSize) -> [String] {
        let width = size.paneWidth
        switch state.overlay {
        case .help: return padded(helpLines(width: width), rows: size.bodyRows, width: width)
        case .search(let query, let results): return padded(searchLines(query, results, width: width), rows: size.bodyRows, width: width)
        case nil: break
        }
        if let thread = state.thread { return threadPane(thread, state: state, size: size) }
        guard state.openConversationID != nil else {
            return padded(["", " Pick a conversation with ↑ ↓ and Enter,", " or start one: /new NAME @bob, /dm @bob.",
                           " ? lists every command."].map { TextLayout.fit($0, width: width) },
                          rows: size.bodyRows, width: width)
        }
        let title = " " + TextLayout.sanitize(state.openTitle)
        let body = messageWindow(state.messages, state: state, selected: state.selectedMessageID, width: width,
                                 rows: size.messageRows, topLine: state.olderHint)
        return [TextLayout.fit(title, width: width)] + body
    }

    static func threadPane(_ thread: ChatState.Thread, state: ChatState, size: ScreenSize) -> [String] {
        let width = size.paneWidth
        let rows = (thread.root.map { [$0] } ?? []) + thread.replies
        let title = TextLayout.fit(" Thread (Esc closes) · \(thread.replies.count) replies", width: width)
        return [title] + messageWindow(rows, state: state, selected: nil, width: width, rows: size.messageRows, topLine: nil)
    }

    /// The newest messages that fit, scrolled up by `state.scroll` lines and moved so the
    /// selection shows; an empty feed says so.
    static func messageWindow(_ rows: [MessageRow], state: ChatState, selected: String?, width: Int, rows visible: Int,
                              topLine: String?) -> [String] {
        guard !rows.isEmpty else { return padded([TextLayout.fit("  no messages yet: say hello", width: width)], rows: visible, width: width) }
        let lines = MessageLayout.lines(rows, selected: selected, width: width, header: topLine)
        let scroll = MessageLayout.scroll(state.scroll, showing: selected, in: lines, rows: rows, visible: visible)
        let end = lines.count - scroll
        let shown = lines[max(0, end - visible)..<end].map(\.text)
        // Short feeds sit at the bottom, next to the input line, like every chat.
        let blank = String(repeating: " ", count: width)
        return Array(repeating: blank, count: max(0, visible - shown.count)) + shown
    }

    static func helpLines(width: Int) -> [String] {
        var lines = [" Keys and commands (Esc closes)", ""]
        let keys: [(String, String)] = [
            ("↑ ↓", "move in the list or the messages"), ("Tab", "switch between list and messages"),
            ("Enter", "open a conversation / send"), ("PgUp PgDn", "scroll (older messages load at the top)"),
            ("Esc", "close the thread, help or search"), ("Ctrl-C", "quit"),
        ]
        let commands = keys + CommandParser.usage.map { ($0.command, $0.meaning) }
        let column = min(24, commands.map { TextWidth.columns(of: $0.0) }.max() ?? 0)
        let meaningWidth = width - 1 - column - 2
        for (name, meaning) in commands {
            if meaningWidth >= 16 {
                // Meanings wrap in their own column, so none is cut.
                let wrapped = TextLayout.wrap(meaning, width: meaningWidth)
                let indent = String(repeating: " ", count: 1 + column + 2)
                lines.append(" " + TextLayout.fit(name, width: column) + "  " + (wrapped.first ?? ""))
                lines += wrapped.dropFirst().map { indent + $0 }
            } else {
                // Too narrow for two columns: each meaning under its command.
                lines.append(" " + name)
                lines += TextLayout.wrap(meaning, width: max(1, width - 4)).map { "    " + $0 }
            }
        }
        return lines.map { TextLayout.fit($0, width: width) }
    }

    static func searchLines(_ query: String, _ results: [SearchRow]?, width: Int) -> [String] {
        var lines = [" Search: \(TextLayout.sanitize(query)) (Esc closes)", ""]
        switch results {
        case nil: lines.append("  searching…")
        case let results? where results.isEmpty: lines.append("  no messages match")
        case let results?:
            for hit in results {
                lines.append("  \(TextLayout.sanitize(hit.conversation)) · \(TextLayout.sanitize(hit.sender)): \(TextLayout.sanitize(hit.body))")
            }
        }
        return lines.map { TextLayout.fit($0, width: width) }
    }

    static func statusLine(_ state: ChatState, width: Int) -> String {
        var left = ""
        switch state.typing.count {
        case 0: break
        case 1: left = " \(TextLayout.sanitize(state.typing[0])) is typing…"
        case 2: left = " \(TextLayout.sanitize(state.typing[0])) and \(TextLayout.sanitize(state.typing[1])) are typing…"
        default: left = " \(TextLayout.sanitize(state.typing[0])) and \(state.typing.count - 1) others are typing…"
        }
        var right = ""
        if let upload = state.upload {
            right = progressBar(upload, width: min(40, width / 2))
        } else if let notice = state.notice {
            right = TextLayout.sanitize(notice)
        }
        guard !right.isEmpty else { return TextLayout.fit(left, width: width) }
        let rightWidth = min(TextWidth.columns(of: right) + 1, width)
        return TextLayout.fit(left, width: width - rightWidth) + TextLayout.fit(" " + right, width: rightWidth)
    }

    /// "name [██████░░░░]  60%" in `width` columns.
    static func progressBar(_ upload: ChatState.Upload, width: Int) -> String {
        let fraction = min(1, max(0, upload.fraction))
        let percent = "\(Int((fraction * 100).rounded(.down)))%"
        let barWidth = max(4, width / 2)
        let filled = Int((Double(barWidth) * fraction).rounded(.down))
        let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + "]"
        let nameWidth = max(1, width - barWidth - 3 - percent.count)
        let (name, used) = TextLayout.prefix(TextLayout.sanitize(upload.name), columns: nameWidth)
        return name + " " + bar + " " + percent + String(repeating: " ", count: max(0, nameWidth - used))
    }

    /// "> text" scrolled so the cursor shows, and the cursor's column.
    static func inputLine(_ state: ChatState, width: Int) -> (String, Int) {
        let prompt = state.thread != nil ? "↳ " : "> "
        let room = width - 2 - 1  // the cursor may sit one past the last character
        let before = TextLayout.sanitize(state.input.beforeCursor)
        let after = TextLayout.sanitize(state.input.afterCursor)
        let shownBefore = TextLayout.suffix(before, columns: room)
        let cursor = 2 + TextWidth.columns(of: shownBefore)
        let (shownAfter, _) = TextLayout.prefix(after, columns: width - cursor)
        return (TextLayout.fit(prompt + shownBefore + shownAfter, width: width), cursor)
    }

    static func tooSmall(_ size: ScreenSize) -> Screen {
        let message = "poolse chat needs \(ScreenSize.minimum.columns)×\(ScreenSize.minimum.rows); this is \(size.columns)×\(size.rows)"
        let wrapped = TextLayout.wrap(message, width: max(1, size.columns))
        let lines = (0..<max(0, size.rows)).map { row in
            TextLayout.fit(row < wrapped.count ? wrapped[row] : "", width: size.columns)
        }
        return Screen(lines: lines, cursorRow: 0, cursorColumn: 0)
    }

    private static func padded(_ lines: [String], rows: Int, width: Int) -> [String] {
        let blank = String(repeating: " ", count: width)
        return Array((lines + Array(repeating: blank, count: max(0, rows - lines.count))).prefix(rows))
    }
}
