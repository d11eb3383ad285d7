import PoolseChatUI
import Testing

@Suite("Terminal column widths")
struct TextWidthTests {
    @Test func asciiIsOneColumnPerCharacter() {
        #expect(TextWidth.columns(of: "hello") == 5)
    }

    @Test func emojiAndCJKAreTwoColumns() {
        #expect(TextWidth.columns(of: "👍") == 2)
        #expect(TextWidth.columns(of: "☕") == 2)
        #expect(TextWidth.columns(of: "日本語") == 6)
        #expect(TextWidth.columns(of: "한국") == 4)
        #expect(TextWidth.columns(of: "ｆｕｌｌ") == 8, "fullwidth latin")
    }

    @Test func combiningMarksJoinersAndModifiersAddNothing() {
        #expect(TextWidth.columns(of: "e\u{301}") == 1, "e + combining acute is one column")
        #expect(TextWidth.columns(of: "👍🏽") == 2, "a skin tone modifier joins its base")
        #expect(TextWidth.columns(of: "👩‍💻") == 2, "a ZWJ sequence is drawn as one emoji")
        #expect(TextWidth.columns(of: "a\u{200B}b") == 2, "zero-width space")
    }

    @Test func emojiPresentationSelectorWidensATextSymbol() {
        #expect(TextWidth.columns(of: "❤") == 1)
        #expect(TextWidth.columns(of: "❤️") == 2)
    }

    @Test func controlCharactersTakeNoColumn() {
        #expect(TextWidth.columns(of: "\u{1B}") == 0)
        #expect(TextWidth.columns(of: "\u{7}") == 0)
    }
}

@Suite("Fitting and wrapping text by columns")
struct TextLayoutTests {
    @Test func fitPadsShortTextToTheWidth() {
        #expect(TextLayout.fit("ab", width: 5) == "ab   ")
    }

    @Test func fitCutsLongTextWithAnEllipsis() {
        #expect(TextLayout.fit("abcdefgh", width: 5) == "abcd…")
    }

    @Test func fitNeverSplitsAWideCharacter() {
        // "日本語" is 6 columns; 4 columns hold "日" and "…" plus one space of padding.
        let fitted = TextLayout.fit("日本語", width: 4)
        #expect(fitted == "日… ")
        #expect(TextWidth.columns(of: fitted) == 4)
    }

    @Test func wrapBreaksAtSpacesAndInsideLongWords() {
        #expect(TextLayout.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TextLayout.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextLayout.wrap("one\ntwo", width: 10) == ["one", "two"])
    }

    @Test func wrapCountsWideCharactersAsTwoColumns() {
        let lines = TextLayout.wrap("日本語のテキスト", width: 6)
        #expect(lines == ["日本語", "のテキ", "スト"])
        #expect(lines.allSatisfy { TextWidth.columns(of: $0) <= 6 })
    }

    @Test func sanitizeDefusesEscapeSequences() {
        let hostile = "hi\u{1B}[2J\u{1B}]0;owned\u{7}"
        let clean = TextLayout.sanitize(hostile)
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 })
        #expect(clean.hasPrefix("hi\u{FFFD}[2J"))
        #expect(TextLayout.sanitize("a\nb", keepingLineBreaks: true) == "a\nb")
        #expect(TextLayout.sanitize("a\r\nb", keepingLineBreaks: true) == "a \nb")
    }
}
