import Foundation

/// Words as search sees them, with where they are in the text: runs of letters and digits,
/// each CJK character a word of its own (as `SearchText` makes the index see them), folded to
/// lower case without accents so `Café` and `cafe` are the same word.
struct SearchToken: Equatable, Sendable {
    /// The folded word.
    let folded: String
    /// Its place in the original text, in UTF-16 code units.
    let start: Int
    let end: Int
}

enum SearchTokens {
    static func tokens(of text: String) -> [SearchToken] {
        var tokens: [SearchToken] = []
        var word = ""
        var wordStart = 0
        var offset = 0
        func finishWord() {
            if !word.isEmpty { tokens.append(SearchToken(folded: fold(word), start: wordStart, end: offset)) }
            word = ""
        }
        for character in text {
            let width = character.utf16.count
            if let first = character.unicodeScalars.first, SearchText.isCJK(first) {
                finishWord()
                tokens.append(SearchToken(folded: fold(String(character)), start: offset, end: offset + width))
            } else if character.isLetter || character.isNumber {
                if word.isEmpty { wordStart = offset }
                word.append(character)
            } else {
                finishWord()
            }
            offset += width
        }
        finishWord()
        return tokens
    }

    /// Lower case, accents removed (what the indexes' tokenizers do to a word).
    static func fold(_ word: String) -> String {
        // ASCII needs only lower-casing, and Foundation's folding costs about a microsecond a
        // word: ranking tokenizes up to a thousand candidate bodies per search.
        var utf8 = Array(word.utf8)
        if utf8.allSatisfy({ $0 < 0x80 }) {
            for index in utf8.indices where utf8[index] >= 0x41 && utf8[index] <= 0x5A { utf8[index] += 0x20 }
            return String(decoding: utf8, as: UTF8.self)
        }
        return word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
