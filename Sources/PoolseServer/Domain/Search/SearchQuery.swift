import Foundation

/// A parsed search query (`GET /v1/search/messages?q=`).
///
/// Syntax: words, all of which must match (whole words, but the last word of the query is a
/// prefix, so results follow the user's typing), and `"exact phrases"` (the words in that order,
/// next to each other). Case and accents don't matter. A CJK word matches as a substring
/// (see `SearchText`). Punctuation separates words and is otherwise ignored; an unclosed quote
/// runs to the end of the query.
struct SearchQuery: Equatable, Sendable {
    struct Part: Equatable, Sendable {
        /// The part's words, folded.
        let words: [String]
        /// Whether the last word matches as a prefix.
        let prefix: Bool

        /// The words separated by spaces: what PostgreSQL's `phraseto_tsquery` receives.
        var text: String { words.joined(separator: " ") }

        /// The part as one FTS5 phrase, with `*` when it is a prefix.
        var fts5Phrase: String { "\"" + text + "\"" + (prefix ? " *" : "") }

        /// One word, not CJK: PostgreSQL can match it as a prefix.
        var isPlainWord: Bool {
            words.count == 1 && !(words[0].unicodeScalars.first.map(SearchText.isCJK) ?? false)
        }
    }

    let parts: [Part]

    /// Parses `text`; nil when it holds no word at all (only punctuation, emoji or spaces).
    init?(_ text: String) {
        var parts: [Part] = []
        var inQuote = false
        var segment = ""
        func flush(quoted: Bool) {
            if quoted {
                let words = SearchTokens.tokens(of: segment).map(\.folded)
                if !words.isEmpty { parts.append(Part(words: words, prefix: false)) }
            } else {
                // Outside quotes each whitespace-separated word is a part; `e-mail` stays one
                // part (a phrase of `e` and `mail`), as the index saw it.
                for chunk in segment.split(whereSeparator: \.isWhitespace) {
                    let words = SearchTokens.tokens(of: String(chunk)).map(\.folded)
                    if !words.isEmpty { parts.append(Part(words: words, prefix: false)) }
                }
            }
            segment = ""
        }
        for character in text {
            if character == "\"" {
                flush(quoted: inQuote)
                inQuote.toggle()
            } else {
                segment.append(character)
            }
        }
        let lastIsWord = !inQuote && !segment.trimmingCharacters(in: .whitespaces).isEmpty
        let countBefore = parts.count
        flush(quoted: inQuote)
        if lastIsWord, parts.count > countBefore, let last = parts.popLast() {
            parts.append(Part(words: last.words, prefix: true))
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }

    /// The FTS5 query: each part a quoted phrase of its words (implicit AND between parts), `*`
    /// after a prefix part. Words hold only letters and digits, and each CJK character is a word
    /// already (as `SearchText` spaces them for the index), so no quoting inside a phrase is needed.
    var fts5Expression: String {
        parts.map(\.fts5Phrase).joined(separator: " ")
    }
}
