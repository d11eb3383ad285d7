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
        for part in query.parts {
            for occurrence in SearchMatcher.occurrences(of: part, in: tokens) {
                ranges.append(SearchHighlight(start: tokens[occurrence.lowerBound].start,
                                              end: tokens[occurrence.upperBound].end))
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
