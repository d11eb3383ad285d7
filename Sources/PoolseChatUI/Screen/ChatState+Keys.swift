extension ChatState {
    /// Applies a key press to the screen state and returns what else must happen.
    /// `size` is the terminal's, so scrolling moves by what a page is.
    public mutating func handle(_ key: Key, size: ScreenSize) -> [ChatEffect] {
        if key != .enter { notice = nil }
        switch key {
        case .control("c"): return [.quit]
        case .control("d"): return input.isEmpty ? [.quit] : edit { $0.deleteForward() }
        case .control("l"): return [.redraw]
        case .control("a"), .home: return edit { $0.moveHome() }
        case .control("e"), .end: return edit { $0.moveEnd() }
        case .control("u"): return edit { $0.clear() }
        case .left: return edit { $0.moveLeft() }
        case .right: return edit { $0.moveRight() }
        case .backspace: return edit { $0.backspace() }
        case .delete: return edit { $0.deleteForward() }
        case .tab, .backTab:
            focus = focus == .conversations ? .messages : .conversations
            return []
        case .escape:
            if overlay != nil { overlay = nil } else if thread != nil { closeThread() }
            return []
        case .up: return move(by: -1, size: size)
        case .down: return move(by: 1, size: size)
        case .pageUp: return page(up: true, size: size)
        case .pageDown: return page(up: false, size: size)
        case .enter: return enter()
        case .character(let character):
            input.insert(character)
            // Typing a command is not typing a message: peers see nothing for "/react 👍".
            let isCommand = input.text.hasPrefix("/") || input.text == "?"
            return openConversationID != nil && !isCommand ? [.typing] : []
        case .control, .unknown:
            return []
        }
    }

    /// Shows `conversationID` as open: the feed empties until the controller fills it.
    public mutating func didOpen(_ conversationID: String) {
        if let index = conversations.firstIndex(where: { $0.id == conversationID }) { highlighted = index }
        openConversationID = conversationID
        messages = []
        selectedMessageID = nil
        scroll = 0
        thread = nil
        overlay = nil
        typing = []
        online = []
        focus = .messages
    }

    /// Opens the thread pane of `rootID`.
    public mutating func openThread(_ rootID: String) {
        thread = Thread(rootID: rootID, root: messages.first { $0.id == rootID })
        overlay = nil
        scroll = 0
    }

    mutating func closeThread() {
        thread = nil
        scroll = 0
    }

    private mutating func edit(_ change: (inout InputLine) -> Void) -> [ChatEffect] {
        change(&input)
        return []
    }

    private mutating func enter() -> [ChatEffect] {
        if input.isEmpty {
            guard focus == .conversations, conversations.indices.contains(highlighted) else { return [] }
            let id = conversations[highlighted].id
            return id == openConversationID ? [] : [.open(conversationID: id)]
        }
        do {
            let command = try CommandParser.parse(input.text)
            input.clear()
            notice = nil
            switch command {
            case .help:
                overlay = .help
                return []
            case .quit:
                return [.quit]
            case .message where openConversationID == nil:
                input = InputLine(Self.textOf(command))
                notice = "open a conversation first (↑ ↓ Enter), or /new, /dm"
                return []
            default:
                return [.run(command)]
            }
        } catch {
            notice = error.message
            return []
        }
    }

    private static func textOf(_ command: ChatCommand) -> String {
        if case .message(let text) = command { return text }
        return ""
    }

    private mutating func move(by step: Int, size: ScreenSize) -> [ChatEffect] {
        if overlay != nil || thread != nil {
            scroll = max(0, scroll - step)
            return []
        }
        switch focus {
        case .conversations:
            guard !conversations.isEmpty else { return [] }
            highlighted = min(max(0, highlighted + step), conversations.count - 1)
            return []
        case .messages:
            guard !messages.isEmpty else { return [] }
            let current = selectedMessageID.flatMap { id in messages.firstIndex { $0.id == id } }
            let next: Int?
            switch (current, step < 0) {
            case (nil, true): next = messages.count - 1
            case (nil, false): next = nil
            case (let index?, _): next = index + step < messages.count ? max(0, index + step) : nil
            }
            selectedMessageID = next.map { messages[$0].id }
            if next == nil { scroll = 0 } else { scroll = visibleScroll(size: size) }
            return next == 0 && hasOlder && !isLoadingOlder ? [.loadOlder] : []
        }
    }

    private mutating func page(up: Bool, size: ScreenSize) -> [ChatEffect] {
        let step = max(1, size.messageRows - 1)
        let rows = thread.map { ($0.root.map { [$0] } ?? []) + $0.replies } ?? messages
        let header = thread == nil ? olderHint : nil
        let total = MessageLayout.lines(rows, selected: selectedMessageID, width: size.paneWidth, header: header).count
        let maximum = max(0, total - size.messageRows)
        // Paging moves the view, not the selection, so let go of it.
        selectedMessageID = nil
        scroll = up ? min(maximum, scroll + step) : max(0, scroll - step)
        let atTop = scroll >= maximum
        return up && atTop && thread == nil && overlay == nil && hasOlder && !isLoadingOlder ? [.loadOlder] : []
    }

    /// The first line of the feed while older messages exist on the server.
    var olderHint: String? {
        guard hasOlder else { return nil }
        return isLoadingOlder ? "  loading older messages…" : "  ↑ older messages (PageUp)"
    }

    /// The scroll that shows the selected message, from where the view is now.
    func visibleScroll(size: ScreenSize) -> Int {
        let lines = MessageLayout.lines(messages, selected: selectedMessageID, width: size.paneWidth, header: olderHint)
        return MessageLayout.scroll(scroll, showing: selectedMessageID, in: lines, rows: messages, visible: size.messageRows)
    }
}
