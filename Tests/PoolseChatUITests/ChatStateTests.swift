import PoolseChatUI
import Testing

@Suite("Keys change the state")
struct ChatStateTests {
    static let size = ScreenSize(columns: 72, rows: 16)

    private func type(_ text: String, into state: inout ChatState) -> [ChatEffect] {
        text.flatMap { state.handle(.character($0), size: Self.size) }
    }

    @Test func enterOnTheListOpensTheHighlightedConversation() {
        var state = RenderTests.state()
        state.openConversationID = nil
        state.focus = .conversations
        #expect(state.handle(.down, size: Self.size) == [])
        #expect(state.highlighted == 1)
        #expect(state.handle(.down, size: Self.size) == [])
        #expect(state.highlighted == 1, "stops at the last row")
        #expect(state.handle(.enter, size: Self.size) == [.open(conversationID: "c2")])
        state.didOpen("c2")
        #expect(state.focus == .messages)
        #expect(state.messages.isEmpty)
    }

    @Test func typingAMessageSendsTypingAndEnterSendsIt() {
        var state = RenderTests.state()
        #expect(type("hi", into: &state) == [.typing, .typing])
        #expect(state.handle(.enter, size: Self.size) == [.run(.message("hi"))])
        #expect(state.input.isEmpty)
    }

    @Test func typingACommandSendsNoTypingEvent() {
        var state = RenderTests.state()
        #expect(type("/react 👍", into: &state) == [])
        #expect(state.handle(.enter, size: Self.size) == [.run(.react("👍"))])
    }

    @Test func aBadCommandKeepsTheLineAndShowsWhy() {
        var state = RenderTests.state()
        _ = type("/dm bob", into: &state)
        #expect(state.handle(.enter, size: Self.size) == [])
        #expect(state.input.text == "/dm bob", "the line stays to be fixed")
        #expect(state.notice?.contains("@name") == true)
        _ = state.handle(.backspace, size: Self.size)
        #expect(state.notice == nil, "the next key clears the notice")
    }

    @Test func aMessageWithoutAnOpenConversationIsKept() {
        var state = RenderTests.state()
        state.openConversationID = nil
        _ = type("hello", into: &state)
        #expect(state.handle(.enter, size: Self.size) == [])
        #expect(state.input.text == "hello")
        #expect(state.notice?.contains("open a conversation") == true)
    }

    @Test func helpOpensAndEscapeClosesIt() {
        var state = RenderTests.state()
        _ = type("?", into: &state)
        #expect(state.handle(.enter, size: Self.size) == [])
        #expect(state.overlay == .help)
        _ = state.handle(.escape, size: Self.size)
        #expect(state.overlay == nil)
    }

    @Test func quitByCommandOrCtrlC() {
        var state = RenderTests.state()
        #expect(state.handle(.control("c"), size: Self.size) == [.quit])
        _ = type("/quit", into: &state)
        #expect(state.handle(.enter, size: Self.size) == [.quit])
        #expect(state.handle(.control("d"), size: Self.size) == [.quit], "Ctrl-D on an empty line")
    }

    @Test func upSelectsMessagesFromTheNewestAndDownLetsGo() {
        var state = RenderTests.state()
        _ = state.handle(.up, size: Self.size)
        #expect(state.selectedMessageID == "m3")
        _ = state.handle(.up, size: Self.size)
        #expect(state.selectedMessageID == "m2")
        _ = state.handle(.down, size: Self.size)
        _ = state.handle(.down, size: Self.size)
        #expect(state.selectedMessageID == nil, "past the newest the view follows new messages again")
    }

    @Test func reachingTheOldestLoadedMessageLoadsOlderOnes() {
        var state = RenderTests.state()
        state.hasOlder = true
        _ = state.handle(.up, size: Self.size)
        _ = state.handle(.up, size: Self.size)
        #expect(state.handle(.up, size: Self.size) == [.loadOlder])
        #expect(state.selectedMessageID == "m1")
    }

    @Test func pageUpScrollsAndLoadsOlderAtTheTop() {
        var state = RenderTests.state()
        state.messages = (1...40).map { MessageRow(id: "m\($0)", sender: "ben", time: "10:00", body: "message \($0)") }
        state.hasOlder = true
        #expect(state.handle(.pageUp, size: Self.size) == [])
        #expect(state.scroll == Self.size.rows - 5 - 1 - 1)
        var effects: [ChatEffect] = []
        for _ in 0..<10 { effects += state.handle(.pageUp, size: Self.size) }
        #expect(effects.contains(.loadOlder))
        #expect(ChatRenderer.render(state, size: Self.size).lines.joined().contains("message 1 "))
        for _ in 0..<10 { _ = state.handle(.pageDown, size: Self.size) }
        #expect(state.scroll == 0)
    }

    @Test func selectingAnOldMessageScrollsItIntoView() {
        var state = RenderTests.state()
        state.messages = (1...40).map { MessageRow(id: "m\($0)", sender: "ben", time: "10:00", body: "message \($0)") }
        for _ in 0..<30 { _ = state.handle(.up, size: Self.size) }
        #expect(state.selectedMessageID == "m11")
        #expect(ChatRenderer.render(state, size: Self.size).lines.joined().contains("▸ 10:00 ben: message 11 "))
    }

    @Test func cursorKeysEditTheInput() {
        var state = RenderTests.state()
        _ = type("helo", into: &state)
        _ = state.handle(.left, size: Self.size)
        _ = type("l", into: &state)
        _ = state.handle(.home, size: Self.size)
        _ = state.handle(.delete, size: Self.size)
        #expect(state.input.text == "ello")
        _ = state.handle(.control("u"), size: Self.size)
        #expect(state.input.isEmpty)
    }

    @Test func tabSwitchesFocusAndEscapeClosesTheThread() {
        var state = RenderTests.state()
        _ = state.handle(.tab, size: Self.size)
        #expect(state.focus == .conversations)
        state.openThread("m2")
        #expect(state.thread?.root?.body == "Yes")
        _ = state.handle(.escape, size: Self.size)
        #expect(state.thread == nil)
    }
}
