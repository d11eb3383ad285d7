import PoolseChatUI
import Testing

@Suite("Redrawing only what changed")
struct ScreenDiffTests {
    private func screen(_ lines: [String], cursor: (Int, Int) = (2, 3)) -> ChatRenderer.Screen {
        ChatRenderer.render(ChatState(me: "x"), size: ScreenSize(columns: 40, rows: 8)).with(lines: lines, cursor: cursor)
    }

    @Test func theFirstFrameClearsAndWritesEveryLine() {
        let output = ScreenDiff.output(from: nil, to: screen(["aaa", "bbb", "ccc"]))
        #expect(output.contains("\u{1B}[2J"))
        #expect(output.contains("\u{1B}[1;1Haaa") && output.contains("\u{1B}[2;1Hbbb") && output.contains("\u{1B}[3;1Hccc"))
        #expect(output.hasSuffix("\u{1B}[3;4H\u{1B}[?25h"), "the cursor ends where the input needs it, visible")
    }

    @Test func laterFramesWriteOnlyTheChangedLines() {
        let output = ScreenDiff.output(from: screen(["aaa", "bbb", "ccc"]), to: screen(["aaa", "BBB", "ccc"]))
        #expect(!output.contains("\u{1B}[2J"))
        #expect(output.contains("\u{1B}[2;1HBBB"))
        #expect(!output.contains("aaa") && !output.contains("ccc"))
    }

    @Test func aScreenOfAnotherHeightIsRepaintedWhole() {
        let output = ScreenDiff.output(from: screen(["aaa", "bbb"]), to: screen(["aaa", "bbb", "ccc"]))
        #expect(output.contains("\u{1B}[2J") && output.contains("aaa"))
    }
}

extension ChatRenderer.Screen {
    func with(lines: [String], cursor: (Int, Int)) -> ChatRenderer.Screen {
        var copy = self
        copy.lines = lines
        copy.cursorRow = cursor.0
        copy.cursorColumn = cursor.1
        return copy
    }
}
