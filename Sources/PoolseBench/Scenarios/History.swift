import Foundation
import PoolseWire

/// Scenario 5: a conversation of `messages` messages (default 100,000), paged newest
/// first with `before` at the largest page size, then caught up oldest first with `after`.
public struct HistoryScenario: Sendable {
    public var messages = 100_000
    public var pageSize = 200
    public var seedConcurrency = 16

    public init() {}

    func run(on target: BenchTarget) async throws -> BenchReport {
        let users = try await target.users(["historian-\(UUID().uuidString.prefix(6))"])
        let token = users[0].token
        let room = try await target.http.send(.POST, "/v1/conversations", token: token,
                                              body: ConversationCreateRequest(type: .group), as: Conversation.self)
        let path = "/v1/conversations/\(room.id)/messages"
        let progress = Progress("seeded", total: messages)
        let counter = WorkCounter(total: messages)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<seedConcurrency {
                group.addTask {
                    while let n = await counter.next() {
                        _ = try await target.http.send(.POST, path, token: token,
                                                       body: MessageCreateRequest(body: "history \(n)"), as: Message.self)
                        await progress.add()
                    }
                }
            }
            try await group.waitForAll()
        }

        var backwards = LatencyRecorder()
        var before: Int64?
        var seen = 0
        let backStart = ContinuousClock.now
        while true {
            var query = "?limit=\(pageSize)"
            if let before { query += "&before=\(before)" }
            let sent = ContinuousClock.now
            let page = try await target.http.send(.GET, path + query, token: token, as: DataList<Message>.self).data
            backwards.record(ContinuousClock.now - sent)
            guard let oldest = page.last else { break }
            seen += page.count
            before = oldest.sequence
        }
        let backElapsed = ContinuousClock.now - backStart

        var forwards = LatencyRecorder()
        var after: Int64 = 0
        var caughtUp = 0
        let forwardStart = ContinuousClock.now
        while true {
            let sent = ContinuousClock.now
            let page = try await target.http.send(.GET, path + "?limit=\(pageSize)&after=\(after)", token: token,
                                                  as: DataList<Message>.self).data
            forwards.record(ContinuousClock.now - sent)
            guard let newest = page.last else { break }
            caughtUp += page.count
            after = newest.sequence
        }
        let forwardElapsed = ContinuousClock.now - forwardStart

        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var report = BenchReport(title: "History: \(messages) messages, pages of \(pageSize)")
        report.add("newest-first pages", "\(backwards.count) pages, \(seen) messages in \(String(format: "%.2f s", seconds(backElapsed)))")
        report.add("  page latency", backwards.summary)
        report.add("catch-up pages (after=)", "\(forwards.count) pages, \(caughtUp) messages in \(String(format: "%.2f s", seconds(forwardElapsed)))")
        report.add("  page latency", forwards.summary)
        if seen != messages || caughtUp != messages {
            report.add("WARNING", "expected \(messages) messages each way")
        }
        return report
    }
}
