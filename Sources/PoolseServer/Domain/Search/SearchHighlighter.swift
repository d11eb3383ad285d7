import PoolseWire

/// Where a query matched a message body: the ranges (UTF-16 code units) of every occurrence of
/// each query part, merged where they touch or overlap, in order.
///
/// Computed from the body and the parsed query rather than by the engines' own highlighters
/// (FTS5 `highlight()`, PostgreSQL `ts_headline`), which return marked-up text and differ
/// from each other; this gives both engines the same answer.
enum SearchHighlighter {
    static func highlights(of query: SearchQuery, in body: String) -> [SearchHighlight] {
        let tokens = SearchTokens.tokens(of: body)
        var ranges: [SearchHighlight] = []
        for part in query.parts where !part.words.isEmpty {
            let count = part.words.count
            guard tokens.count >= count else { continue }
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
                if matched { ranges.append(SearchHighlight(start: tokens[first].start, end: tokens[first + count - 1].end)) }
            }
        }
        return merge(ranges)
    }

    private static func merge(_ ranges: [SearchHighlight]) -> [SearchHighlight] {
        var merged: [SearchHighlight] = []
        for range in ranges.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1] = SearchHighlight(start: last.start, end: max(last.end, range.end))
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
