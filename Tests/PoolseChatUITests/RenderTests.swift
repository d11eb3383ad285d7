import PoolseChatUI
import Testing

@Suite("Rendering the screen")
struct RenderTests {
    static let size = ScreenSize(columns: 72, rows: 16)

    static func state() -> ChatState {
        var state = ChatState(me: "ann")
        state.connection = .connected
        state.conversations = [
            ConversationRow(id: "c1", name: "Saturday", unread: 3, preview: "bring coffee ☕"),
            ConversationRow(id: "c2", name: "日本語チーム", unread: 0, preview: "こんにちは"),
        ]
        state.openConversationID = "c1"
        state.openTitle = "Saturday · ann, ben"
        state.messages = [
            MessageRow(id: "m1", sender: "ben", time: "12:01", body: "Hi Ann 👋 are we on?"),
            MessageRow(id: "m2", sender: "ann", time: "12:02", body: "Yes", isEdited: true,
                       reactions: [ReactionCount(emoji: "👍", count: 2)], replyCount: 3,
                       attachments: [AttachmentLabel(name: "map.png", byteSize: 12_288)]),
            MessageRow(id: "m3", sender: "ben", time: "12:03", body: nil, isDeleted: true),
        ]
        state.focus = .messages
        return state
    }

    private func screen(_ state: ChatState, _ size: ScreenSize = size) -> ChatRenderer.Screen {
        ChatRenderer.render(state, size: size)
    }

    @Test func everyLineIsExactlyAsWideAsTheTerminal() {
        var state = Self.state()
        state.typing = ["ben"]
        state.input = InputLine("日本語 and 👍🏽 typed")
        for size in [Self.size, ScreenSize(columns: 40, rows: 8), ScreenSize(columns: 133, rows: 41)] {
            let lines = screen(state, size).lines
            #expect(lines.count == size.rows)
            for line in lines { #expect(TextWidth.columns(of: line) == size.columns, "\(line)") }
        }
    }

    @Test func conversationListShowsUnreadCountsAndPreviews() {
        let lines = screen(Self.state()).lines
        #expect(lines[3].hasPrefix("›*Saturday"), "highlighted (the list has no focus) and open")
        #expect(lines[3].contains("(3)│"), "the unread count sits at the list's right edge")
        #expect(lines[4].hasPrefix("   bring coffee ☕"))
        #expect(lines[5].hasPrefix("  日本語チーム"))
        #expect(!lines[5].contains("("), "no badge without unread messages")
    }

    @Test func highlightMarksTheListRowWhenTheListHasFocus() {
        var state = Self.state()
        state.focus = .conversations
        state.highlighted = 1
        let lines = screen(state).lines
        #expect(lines[5].hasPrefix("▸ 日本語チーム"))
        #expect(lines[3].hasPrefix(" *Saturday"), "open, not highlighted")
    }

    @Test func longNamesAreCutToTheListWidth() {
        var state = Self.state()
        state.conversations[0].name = String(repeating: "長", count: 30)
        let line = screen(state).lines[3]
        let list = String(line.prefix { $0 != "│" })
        #expect(TextWidth.columns(of: list) == 24)
        #expect(list.contains("…"))
        #expect(list.hasSuffix(" (3)"), "the count survives the cut")
    }

    @Test func messagesShowSenderTimeEditsReactionsRepliesFilesAndDeletions() {
        let lines = screen(Self.state()).lines.map { String($0.drop { $0 != "│" }.dropFirst()) }
        let text = lines.joined(separator: "\n")
        #expect(lines[2].hasPrefix(" Saturday · ann, ben"))
        #expect(text.contains("  12:01 ben: Hi Ann 👋 are we on?"))
        #expect(text.contains("  12:02 ann: Yes"))
        #expect(text.contains("(edited) · 👍 2 · 3 replies ·"))
        #expect(text.contains("📎\u{A0}map.png (12 KB)"), "extras wrap instead of being cut, the clip stays with its file")
        #expect(text.contains("12:03 ben: (message deleted)"))
    }

    @Test func theNewestMessageSitsJustAboveTheStatusLine() {
        let lines = screen(Self.state()).lines
        #expect(lines[Self.size.rows - 4].contains("12:03 ben: (message deleted)"))
        #expect(lines[Self.size.rows - 3].hasPrefix("────"))
    }

    @Test func typingLineNamesWhoIsTyping() {
        var state = Self.state()
        state.typing = ["ben"]
        #expect(screen(state).lines[Self.size.rows - 2].hasPrefix(" ben is typing…"))
        state.typing = ["ben", "carol"]
        #expect(screen(state).lines[Self.size.rows - 2].hasPrefix(" ben and carol are typing…"))
        state.typing = ["ben", "carol", "dave"]
        #expect(screen(state).lines[Self.size.rows - 2].hasPrefix(" ben and 2 others are typing…"))
    }

    @Test func headerShowsConnectionOnlineAndWaitingSends() {
        var state = Self.state()
        state.online = ["ann", "ben"]
        #expect(screen(state).lines[0].hasPrefix(" poolse · ann   ● connected   online: ann, ben"))
        state.connection = .reconnecting
        state.waiting = 2
        #expect(screen(state).lines[0].contains("◌ reconnecting…   ✉ 2 waiting to send"))
    }

    @Test func pendingAndFailedSendsSaySo() {
        var state = Self.state()
        state.messages.append(MessageRow(id: "p", sender: "ann", time: "12:04", body: "later", delivery: .pending))
        state.messages.append(MessageRow(id: "f", sender: "ann", time: "12:04", body: "nope", delivery: .failed("too long")))
        let text = screen(state).lines.joined(separator: "\n")
        #expect(text.contains("sending…"))
        #expect(text.contains("✗ not sent: too long"))
    }

    @Test func theSelectedMessageIsMarked() {
        var state = Self.state()
        state.selectedMessageID = "m1"
        let text = screen(state).lines.joined(separator: "\n")
        #expect(text.contains("│▸ 12:01 ben: Hi Ann"))
    }

    @Test func inputLineScrollsToKeepTheCursorVisible() {
        var state = Self.state()
        state.input = InputLine(String(repeating: "日", count: 50) + "END")
        let rendered = screen(state)
        let input = rendered.lines[Self.size.rows - 1]
        #expect(input.hasPrefix("> "))
        #expect(input.contains("END"), "the end, where the cursor is, shows")
        #expect(rendered.cursorRow == Self.size.rows - 1)
        let beforeCursor = TextWidth.columns(of: String(input.prefix { $0 != "E" })) + 3
        #expect(rendered.cursorColumn == beforeCursor)
    }

    @Test func hostileTextCannotReachTheTerminal() {
        var state = Self.state()
        state.messages[0].body = "evil\u{1B}[2J\u{1B}]52;c;aGk=\u{7}"
        state.conversations[0].name = "x\u{1B}[31m"
        let text = screen(state).lines.joined()
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test func wrappedBodiesStayInsideThePane() {
        var state = Self.state()
        state.messages = [MessageRow(id: "w", sender: "ben", time: "09:00",
                                     body: String(repeating: "word ", count: 30) + "終わり")]
        let lines = screen(state).lines
        let pane = lines.map { String($0.drop { $0 != "│" }.dropFirst()) }.filter { !$0.allSatisfy { $0 == " " } }
        #expect(pane.contains { $0.contains("終わり") })
        #expect(pane.filter { $0.hasPrefix("             word") }.count >= 2, "continuation lines align under the text")
    }

    @Test func uploadProgressBar() {
        var state = Self.state()
        state.upload = ChatState.Upload(name: "photo.jpg", fraction: 0.5)
        let status = screen(state).lines[Self.size.rows - 2]
        #expect(status.contains("photo.jpg [█████████░░░░░░░░░] 50%"))
    }

    @Test func helpAndSearchCoverThePane() {
        var state = Self.state()
        state.overlay = .help
        var text = screen(state, ScreenSize(columns: 100, rows: 30)).lines.joined(separator: "\n")
        #expect(text.contains("/new NAME @bob @carol"))
        #expect(text.contains("/search WORDS"))
        state.overlay = .search(query: "coffee", results: [SearchRow(conversation: "Saturday", sender: "ben", body: "bring coffee")])
        text = screen(state).lines.joined(separator: "\n")
        #expect(text.contains("Search: coffee"))
        #expect(text.contains("Saturday · ben: bring coffee"))
    }

    @Test func helpWrapsMeaningsInsteadOfCuttingThem() {
        var state = Self.state()
        state.overlay = .help
        for columns in [60, 72, 90] {
            let pane = screen(state, ScreenSize(columns: columns, rows: 60)).lines.map { String($0.drop { $0 != "│" }.dropFirst()) }
            #expect(pane.contains { $0.hasPrefix(" /search WORDS ") })
            #expect(pane.contains { $0.contains("search all your") })
            #expect(!pane.contains { $0.contains("…") }, "nothing is cut at \(columns) columns")
        }
    }

    @Test func theThreadPaneShowsTheRootAndRepliesAndTheInputSaysSo() {
        var state = Self.state()
        state.openThread("m2")
        state.thread?.replies = [MessageRow(id: "r1", sender: "ben", time: "12:05", body: "at ten?")]
        let lines = screen(state).lines
        let text = lines.joined(separator: "\n")
        #expect(lines[2].contains("│ Thread (Esc closes) · 1 replies"))
        #expect(text.contains("12:02 ann: Yes"))
        #expect(text.contains("12:05 ben: at ten?"))
        #expect(!text.contains("12:01 ben: Hi Ann"), "the rest of the feed is not in the thread")
        #expect(lines[Self.size.rows - 1].hasPrefix("↳ "))
    }

    @Test func aTinyTerminalIsToldItIsTooSmall() {
        let lines = screen(Self.state(), ScreenSize(columns: 30, rows: 5)).lines
        #expect(lines.count == 5)
        #expect(lines.joined().contains("needs 40×8"))
        #expect(lines.allSatisfy { TextWidth.columns(of: $0) == 30 })
    }

    @Test func attachmentSizesInWords() {
        #expect(AttachmentLabel(name: "a", byteSize: 900).sizeText == "900 B")
        #expect(AttachmentLabel(name: "a", byteSize: 1_536).sizeText == "1.5 KB")
        #expect(AttachmentLabel(name: "a", byteSize: 12_800).sizeText == "13 KB")
        #expect(AttachmentLabel(name: "a", byteSize: 5 * 1_048_576).sizeText == "5.0 MB")
    }

    @Test func olderMessagesAreAnnouncedAtTheTop() {
        var state = Self.state()
        state.hasOlder = true
        #expect(screen(state).lines.joined(separator: "\n").contains("↑ older messages (PageUp)"))
    }
}
