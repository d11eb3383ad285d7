import Testing

@testable import PoolseServer

/// `SearchRanking`: BM25 over the candidates, ties to the newest.
@Suite("Search ranking")
struct SearchRankingTests {
    private func candidate(_ id: String, _ body: String, at time: Int64) -> SearchRanking.Candidate {
        SearchRanking.Candidate(id: id, insertedAt: time, body: body)
    }

    private func order(_ query: String, _ candidates: [SearchRanking.Candidate], frequencies: [Double]? = nil) throws -> [String] {
        let parsed = try #require(SearchQuery(query))
        return SearchRanking.order(candidates, query: parsed, frequencies: frequencies).map(\.id)
    }

    @Test func moreOccurrencesInAShorterBodyRankFirst() throws {
        let ids = try order("plum", [
            candidate("once-long", "a plum among many other words in a long message here", at: 3),
            candidate("twice", "plum and plum", at: 1),
            candidate("once-short", "plum pie", at: 2),
        ])
        #expect(ids == ["twice", "once-short", "once-long"])
    }

    @Test func equalScoresGoNewestFirstThenById() throws {
        let ids = try order("plum", [
            candidate("b", "plum tart", at: 1), candidate("a", "plum cake", at: 1), candidate("c", "plum jam", at: 2),
        ])
        #expect(ids == ["c", "a", "b"])
    }

    @Test func theRarerPartWeighsMore() throws {
        // Both hold both words; one repeats the rare word, the other the common one.
        let candidates = [
            candidate("common-twice", "the the zebra", at: 2),
            candidate("rare-twice", "the zebra zebra", at: 1),
        ]
        #expect(try order("the zebra", candidates, frequencies: [0.9, 0.001]) == ["rare-twice", "common-twice"])
        // Flip the frequencies and the order flips: the weights decide, not the input order.
        #expect(try order("the zebra", candidates, frequencies: [0.001, 0.9]) == ["common-twice", "rare-twice"])
    }

    @Test func thePrefixAndPhrasesCountAsTheMatcherSees() throws {
        let ids = try order("\"red plum\" pl", [
            candidate("one", "a red plum", at: 2),
            candidate("two", "red plum, red plum, plus plenty", at: 1),
        ])
        #expect(ids == ["two", "one"])
    }

    @Test func inverseFrequencyFallsAsAPartGetsCommon() {
        #expect(SearchRanking.inverseFrequency(0.001) > SearchRanking.inverseFrequency(0.1))
        #expect(SearchRanking.inverseFrequency(0.1) > SearchRanking.inverseFrequency(0.9))
        #expect(SearchRanking.inverseFrequency(1) >= 0)
        #expect(SearchRanking.inverseFrequency(0).isFinite)
    }

    @Test func foldingLowerCasesASCIIAndDropsAccentsElsewhere() {
        #expect(SearchTokens.fold("HeLLo42") == "hello42")
        #expect(SearchTokens.fold("Café") == "cafe")
        #expect(SearchTokens.fold("ÉCOLE") == "ecole")
        #expect(SearchTokens.tokens(of: "Plum, PIE!").map(\.folded) == ["plum", "pie"])
    }
}
