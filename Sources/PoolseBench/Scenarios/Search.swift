import Foundation
import PoolseWire

/// Scenario 6: full-text search. One user in `conversations` conversations holding `messages`
/// messages in all (default 1,000,000), seeded straight into the store in bulk (an HTTP send
/// each would take hours), with bodies of 8–16 words drawn from a `vocabulary`-word language
/// whose word frequencies follow Zipf's law (rank r appears about 1/r as often), as natural
/// languages do. Then, over HTTP and one at a time, `queries` searches of five kinds, and
/// `sends` message sends with the index's triggers and as many without them (SQLite).
///
/// Needs the in-process server (`--api-url` is refused): seeding goes through the store.
public struct SearchScenario: Sendable {
    public var messages = 1_000_000
    public var conversations = 100
    public var vocabulary = 5_000
    public var queries = 500
    public var sends = 1_000

    public init() {}

    func run(on target: BenchTarget) async throws -> BenchReport {
        guard let app = target.app else { throw BenchFailure("bench search needs the in-process server (no --api-url)") }
        let users = try await target.users(["searcher-\(UUID().uuidString.prefix(6))"])
        let (user, token) = users[0]
        var rooms: [String] = []
        for _ in 0..<conversations {
            rooms.append(try await target.http.send(.POST, "/v1/conversations", token: token,
                                                    body: ConversationCreateRequest(type: .group), as: Conversation.self).id)
        }
        var random = SplitMix64(seed: 2026)
        let words = (0..<vocabulary).map(Self.word)
        func zipfWord() -> String { words[Self.zipfRank(vocabulary, &random)] }

        let seedStart = ContinuousClock.now
        let progress = Progress("seeded", total: messages)
        let perRoom = messages / conversations
        for (index, room) in rooms.enumerated() {
            let count = index == rooms.count - 1 ? messages - perRoom * (conversations - 1) : perRoom
            var bodies: [String] = []
            bodies.reserveCapacity(count)
            for _ in 0..<count {
                let length = 8 + Int(random.next() % 9)
                bodies.append((0..<length).map { _ in zipfWord() }.joined(separator: " "))
            }
            try await app.benchSeeding.insertMessages(tenantId: user.tenantId, conversationId: room,
                                                      senderId: user.id, bodies: bodies)
            await progress.add(count)
        }
        let seedElapsed = ContinuousClock.now - seedStart

        // Five kinds of query: a common word (ranks 10–100: each in several percent of all
        // messages), a middling one (100–1,000), a rare one (1,000 and up), two words, and a
        // three-letter prefix of a common word (search as you type).
        let kinds = ["common word", "middling word", "rare word", "two words", "prefix (3 letters)"]
        var recorders = Array(repeating: LatencyRecorder(), count: kinds.count)
        var hits = Array(repeating: 0, count: kinds.count)
        for n in 0..<queries {
            let kind = n % kinds.count
            let query: String
            switch kind {
            case 0: query = words[10 + Int(random.next() % 90)]
            case 1: query = words[100 + Int(random.next() % 900)]
            case 2: query = words[1_000 + Int(random.next() % UInt64(max(1, vocabulary - 1_000)))]
            case 3: query = zipfWord() + " " + zipfWord()
            default: query = String(words[Int(random.next() % 100)].prefix(3))
            }
            let path = "/v1/search/messages?limit=20&q=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query)
            let sent = ContinuousClock.now
            let page = try await target.http.send(.GET, path, token: token, as: MessageSearchPage.self)
            recorders[kind].record(ContinuousClock.now - sent)
            hits[kind] += page.data.count
        }
        var all = LatencyRecorder()
        for recorder in recorders { all.merge(recorder) }

        // Send cost with and without the index, alternating blocks so drift hits both alike.
        var withIndex = LatencyRecorder(), withoutIndex = LatencyRecorder()
        let block = 50
        var sent = 0
        while sent < sends * 2 {
            let indexing = (sent / block) % 2 == 0
            try await app.benchSeeding.setSearchIndexing(indexing)
            for _ in 0..<block {
                let body = MessageCreateRequest(body: (0..<12).map { _ in zipfWord() }.joined(separator: " "))
                let start = ContinuousClock.now
                _ = try await target.http.send(.POST, "/v1/conversations/\(rooms[sent % rooms.count])/messages",
                                               token: token, body: body, as: Message.self)
                if indexing { withIndex.record(ContinuousClock.now - start) } else { withoutIndex.record(ContinuousClock.now - start) }
                sent += 1
            }
        }
        try await app.benchSeeding.setSearchIndexing(true)

        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var report = BenchReport(title: "Search: \(messages) messages in \(conversations) conversations, "
                                     + "\(vocabulary)-word Zipf vocabulary")
        report.add("seeding (bulk, in-process)", String(format: "%.1f s", seconds(seedElapsed)))
        report.add("search latency, all \(all.count)", all.summary)
        for (index, kind) in kinds.enumerated() {
            report.add("  \(kind)", recorders[index].summary + "  (\(hits[index]) hits)")
        }
        report.add("send latency with index", withIndex.summary)
        report.add("send latency without index", withoutIndex.summary)
        return report
    }

    /// A pronounceable pseudo-word per rank: syllables picked by the rank's digits.
    static func word(_ rank: Int) -> String {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "fi", "gu", "he", "jo", "be"]
        var n = rank
        var word = ""
        repeat {
            word += syllables[n % syllables.count]
            n /= syllables.count
        } while n > 0
        return word + syllables[rank % 7]
    }

    /// A Zipf-distributed rank in `0..<size`: log-uniform, so rank r is drawn about 1/r as often.
    static func zipfRank(_ size: Int, _ random: inout SplitMix64) -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        return min(size - 1, Int(pow(Double(size), u)) - 1)
    }
}

/// A small, fast, seedable generator, so every run searches the same text.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
