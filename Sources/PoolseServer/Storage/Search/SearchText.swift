/// The text the full-text index sees for a message body, and the test for the scripts that
/// need it.
///
/// Chinese, Japanese and Korean are written without spaces between words, so a word tokenizer
/// (SQLite's `unicode61`, PostgreSQL's default parser) would make a whole sentence one token,
/// findable only from its first character. The index therefore sees each CJK character as a
/// token of its own, and a CJK query term becomes a phrase of consecutive characters: a search
/// for `東京` finds `東京タワー` and `在東京`, any substring of one or more characters. Other scripts
/// keep their word tokens (whole words, prefix on the last query word).
enum SearchText {
    /// The body with a space on both sides of every CJK character.
    static func indexText(_ body: String) -> String {
        guard body.unicodeScalars.contains(where: isCJK) else { return body }
        var scalars = String.UnicodeScalarView()
        for scalar in body.unicodeScalars {
            if isCJK(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether UTF-8 text may hold a CJK character: every one of them is at U+3040 or above, so
    /// its first byte is 0xE3 or more. Text without such a byte (most text in Latin scripts)
    /// needs no spacing, and the index function passes it through without decoding it.
    static func mayContainCJK(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { $0 >= 0xE3 }
    }

    /// Hiragana, katakana (and the half-width forms), CJK ideographs (with extension A and the
    /// compatibility block) and Hangul syllables. PostgreSQL's `poolse_search_text` spaces the
    /// same ranges.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        cjkRanges.contains { $0.contains(scalar.value) }
    }

    static let cjkRanges: [ClosedRange<UInt32>] = [
        0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF66...0xFF9F,
    ]
}
