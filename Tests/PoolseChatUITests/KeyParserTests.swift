import PoolseChatUI
import Testing

@Suite("Key parser")
struct KeyParserTests {
    private func keys(_ bytes: [UInt8]) -> [Key] {
        var parser = KeyParser()
        return parser.feed(bytes)
    }

    @Test func asciiAndControlKeys() {
        #expect(keys(Array("hi".utf8)) == [.character("h"), .character("i")])
        #expect(keys([0x0D, 0x7F, 0x09, 0x03, 0x01]) == [.enter, .backspace, .tab, .control("c"), .control("a")])
    }

    @Test func arrowsInBothCursorModes() {
        #expect(keys(Array("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D".utf8)) == [.up, .down, .right, .left])
        #expect(keys(Array("\u{1B}OA\u{1B}OD".utf8)) == [.up, .left])
        #expect(keys(Array("\u{1B}[1;5A".utf8)) == [.up], "Ctrl-Up is still up")
    }

    @Test func pageKeysHomeEndDelete() {
        #expect(keys(Array("\u{1B}[5~\u{1B}[6~".utf8)) == [.pageUp, .pageDown])
        #expect(keys(Array("\u{1B}[H\u{1B}[F\u{1B}[1~\u{1B}[4~\u{1B}[3~".utf8)) == [.home, .end, .home, .end, .delete])
        #expect(keys(Array("\u{1B}[Z".utf8)) == [.backTab])
    }

    @Test func unknownSequencesAreOneUnknownKey() {
        #expect(keys(Array("\u{1B}[99~x".utf8)) == [.unknown(Array("\u{1B}[99~".utf8)), .character("x")])
    }

    @Test func multiByteUTF8() {
        #expect(keys(Array("é日👍".utf8)) == [.character("é"), .character("日"), .character("👍")])
    }

    @Test func aCharacterSplitAcrossReadsWaitsForItsRest() {
        var parser = KeyParser()
        let bytes = Array("👍".utf8)
        #expect(parser.feed(bytes[0..<2]) == [])
        #expect(parser.hasPending)
        #expect(parser.feed(bytes[2...]) == [.character("👍")])
        #expect(!parser.hasPending)
    }

    @Test func anEscapeSequenceSplitAcrossReadsWaitsForItsRest() {
        var parser = KeyParser()
        #expect(parser.feed([0x1B, UInt8(ascii: "[")]) == [])
        #expect(parser.feed([UInt8(ascii: "5"), UInt8(ascii: "~")]) == [.pageUp])
    }

    @Test func aLoneEscapeIsTheEscapeKeyOnFlush() {
        var parser = KeyParser()
        #expect(parser.feed([0x1B]) == [])
        #expect(parser.flush() == [.escape])
        #expect(!parser.hasPending)
    }

    @Test func invalidUTF8BecomesTheReplacementCharacter() {
        #expect(keys([0xFF, 0x41]) == [.character("\u{FFFD}"), .character("A")])
        #expect(keys([0xE6, 0x41]) == [.character("\u{FFFD}"), .character("A")], "a lead byte without its continuation")
        var parser = KeyParser()
        _ = parser.feed([0xE6, 0x97])
        #expect(parser.flush() == [.character("\u{FFFD}")], "a character cut off for good")
    }
}

@Suite("Input line")
struct InputLineTests {
    @Test func editingAtTheCursor() {
        var line = InputLine("helo")
        line.moveLeft()
        line.insert("l")
        #expect(line.text == "hello")
        #expect(line.cursor == 4)
        line.moveHome()
        line.deleteForward()
        #expect(line.text == "ello")
        line.moveEnd()
        line.backspace()
        #expect(line.text == "ell")
    }

    @Test func aModifierTypedAfterItsEmojiJoinsIt() {
        var line = InputLine()
        line.insert("👍")
        line.insert("\u{1F3FD}")
        #expect(line.text == "👍🏽")
        #expect(line.cursor == 1)
        line.backspace()
        #expect(line.isEmpty, "one backspace removes the whole emoji")
    }
}
