import Foundation
import PoolseWire

/// Scenario 4: messages per second persisted with sequences, at a given concurrency.
/// `writers` users each keep one send in flight, all into `conversations` conversations
/// (one conversation puts every send on the same sequence counter).
public struct WriteThroughputScenario: Sendable {
    public var messages = 5_000
    public var concurrency = 16
    public var conversations = 1

    public init() {}

    func run(on target: BenchTarget) async throws -> BenchReport {
        let writers = try await target.users((0..<concurrency).map { "writer-\($0)-\(UUID().uuidString.prefix(6))" })
        var createdRooms: [String] = []
        for _ in 0..<max(1, conversations) {
            let room = try await target.http.send(
                .POST, "/v1/conversations", token: writers[0].token,
                body: ConversationCreateRequest(type: .group, memberExternalIds: writers.map(\.user.externalId)),
                as: Conversation.self)
            createdRooms.append(room.id)
        }
        let rooms = createdRooms
        let progress = Progress("sent", total: messages)
        let counter = WorkCounter(total: messages)
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    var recorder = LatencyRecorder()
                    while let n = await counter.next() {
                        let room = rooms[(index + n) % rooms.count]
                        let sent = ContinuousClock.now
                        _ = try await target.http.send(.POST, "/v1/conversations/\(room)/messages", token: writer.token,
                                                       body: MessageCreateRequest(body: "bench \(n)"), as: Message.self)
                        recorder.record(ContinuousClock.now - sent)
                        await progress.add()
                    }
                    return recorder
                }
            }
            var all = LatencyRecorder()
            for try await recorder in group { all.merge(recorder) }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var report = BenchReport(title: "REST write throughput: \(messages) messages, concurrency \(concurrency), \(rooms.count) conversation(s)")
        report.add("persisted messages/s", String(format: "%.0f", Double(messages) / seconds))
        report.add("send latency", latencies.summary)
        return report
    }
}

/// Hands out work item numbers until `total` are taken.
actor WorkCounter {
    private let total: Int
    private var issued = 0

    init(total: Int) { self.total = total }

    func next() -> Int? {
        guard issued < total else { return nil }
        issued += 1
        return issued
    }
}
