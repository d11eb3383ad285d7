import Foundation

/// Orders search candidates best match first, then newest, then by id: Okapi BM25 with FTS5's
/// constants (k1 = 1.2, b = 0.75), computed here over the candidates' bodies.
///
/// Why not FTS5's own `bm25()`: it counts every document of every phrase to weigh the phrases
/// (its IDF), which walks the whole doclist of a common word: 40–50 ms over a million messages
/// for a word in most of them, whatever the `LIMIT`. Here the weights come from each phrase's
/// density among the newest messages (`frequencies`, measured by a bounded scan), and the
/// average length from the candidates themselves, so the cost is bounded by the candidate count.
/// With one phrase, or without frequencies, every phrase weighs the same and only how often and
/// how densely a body holds them orders it.
enum SearchRanking {
    struct Candidate: Sendable, Equatable {
        let id: String
        let insertedAt: Int64
        let body: String
    }

    static let k1 = 1.2
    static let b = 0.75

    /// `frequencies[i]`: the share (0...1) of recent messages that hold `query.parts[i]`.
    static func order(_ candidates: [Candidate], query: SearchQuery, frequencies: [Double]? = nil) -> [Candidate] {
        guard !candidates.isEmpty else { return [] }
        let weights = query.parts.indices.map { index in
            frequencies.flatMap { index < $0.count ? inverseFrequency($0[index]) : nil } ?? 1
        }
        let tokenized = candidates.map { SearchTokens.tokens(of: $0.body) }
        let averageLength = max(1, Double(tokenized.reduce(0) { $0 + $1.count }) / Double(candidates.count))
        let scores = tokenized.map { tokens in
            score(tokens, query: query, weights: weights, averageLength: averageLength)
        }
        return candidates.indices.sorted { left, right in
            if scores[left] != scores[right] { return scores[left] > scores[right] }
            if candidates[left].insertedAt != candidates[right].insertedAt {
                return candidates[left].insertedAt > candidates[right].insertedAt
            }
            return candidates[left].id < candidates[right].id
        }.map { candidates[$0] }
    }

    /// BM25's IDF for a phrase in `share` of the documents (never negative, as FTS5 clamps it).
    static func inverseFrequency(_ share: Double) -> Double {
        let clamped = min(1, max(0, share))
        let smoothing = 1e-6
        return log(1 + (1 - clamped + smoothing) / (clamped + smoothing))
    }

    private static func score(_ tokens: [SearchToken], query: SearchQuery, weights: [Double],
                              averageLength: Double) -> Double {
        let lengthNorm = 1 - b + b * Double(tokens.count) / averageLength
        var total = 0.0
        for (index, part) in query.parts.enumerated() {
            let frequency = Double(SearchMatcher.occurrences(of: part, in: tokens).count)
            guard frequency > 0 else { continue }
            total += weights[index] * frequency * (k1 + 1) / (frequency + k1 * lengthNorm)
        }
        return total
    }
}
