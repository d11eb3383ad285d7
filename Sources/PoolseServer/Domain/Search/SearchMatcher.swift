/// Where a query part occurs in a tokenized body: the token ranges of each occurrence. The
/// highlighter turns them into text ranges and the ranking counts them, so both agree with
/// each other on what matched.
enum SearchMatcher {
    /// Each run of tokens equal to `part`'s words, in order; the last word matches as a prefix
    /// when the part is a prefix.
    static func occurrences(of part: SearchQuery.Part, in tokens: [SearchToken]) -> [ClosedRange<Int>] {
        let count = part.words.count
        guard count > 0, tokens.count >= count else { return [] }
        var found: [ClosedRange<Int>] = []
        for first in 0...(tokens.count - count) {
            var matched = true
            for (index, word) in part.words.enumerated() {
                let token = tokens[first + index].folded
                let isLast = index == count - 1
                if !(token == word || (isLast && part.prefix && token.hasPrefix(word))) {
                    matched = false
                    break
                }
            }
            if matched { found.append(first...(first + count - 1)) }
        }
        return found
    }
}
