import Foundation
import PoolseWire

/// Scenarios 1 and 2. Fan-out: one conversation of `members` connected members (default
/// 1,000) and `messages` sends through REST at `rate` per second; latency is measured per
/// delivery (send→`message:new` on each member's socket). Many small rooms: `rooms`
/// conversations of `members` each, sends spread over them concurrently.
public struct FanoutScenario: Sendable {
    public var members = 1_000
    public var messages = 500
    /// Messages per second over all rooms; 0 sends as fast as `senders` allow.
    public var rate = 50.0
    public var rooms = 1
    /// Sends in flight at most.
    public var senders = 32
    /// Event-loop threads receiving on the members' sockets (default 1: the bench runs on one core).
    public var clientThreads = 1

    public init() {}

    func run(on target: BenchTarget) async throws -> BenchReport {
        let receiversTotal = members * rooms
        FileHandle.standardError.write(Data("  creating \(receiversTotal + rooms) users…\n".utf8))
        let tag = UUID().uuidString.prefix(6)
        let senders = try await target.users((0..<rooms).map { "sender-\(tag)-\($0)" })
        let receivers = try await target.users((0..<receiversTotal).map { "member-\(tag)-\($0)" })
        var roomIds: [String] = []
        for room in 0..<rooms {
            let conversation = try await target.http.send(
                .POST, "/v1/conversations", token: senders[room].token,
                body: ConversationCreateRequest(type: .group, memberLimit: nil), as: Conversation.self)
            let roomMembers = receivers[(room * members)..<((room + 1) * members)].map(\.user.externalId)
            for batch in stride(from: 0, to: roomMembers.count, by: 100) {
                let slice = Array(roomMembers[batch..<min(batch + 100, roomMembers.count)])
                _ = try await target.http.send(.POST, "/v1/conversations/\(conversation.id)/members",
                                               token: senders[room].token, body: AddMembersRequest(externalIds: slice),
                                               as: DataList<Membership>.self)
            }
            roomIds.append(conversation.id)
        }

        let recorder = DeliveryRecorder()
        let connectProgress = Progress("sockets joined", total: receiversTotal)
        let sockets = try await connect(receivers: receivers.map(\.token), rooms: roomIds, target: target,
                                        recorder: recorder, progress: connectProgress)
        guard await recorder.waitForJoins(receiversTotal, timeout: .seconds(120)) else {
            await sockets.close()
            throw BenchHTTP.Failure(description: "only \(recorder.joined) of \(receiversTotal) joins were answered")
        }

        let expected = messages * members
        let deliveryProgress = Progress("deliveries", total: expected)
        let start = ContinuousClock.now
        let sendLatencies = try await send(senders: senders.map(\.token), rooms: roomIds, target: target, start: start)
        let complete = await recorder.waitForDeliveries(expected, timeout: .seconds(120), progress: deliveryProgress)
        await sockets.close()
        let drops = await target.metric("poolse_realtime_outbound_queue_drops_total")

        var report = BenchReport(title: rooms == 1
            ? "Fan-out: \(members) members, \(messages) messages at \(rate > 0 ? "\(rate)/s" : "full speed")"
            : "Rooms: \(rooms) × \(members) members, \(messages) messages at \(rate > 0 ? "\(rate)/s" : "full speed")")
        report.add("deliveries", "\(recorder.delivered) of \(expected)\(complete ? "" : " (TIMED OUT)")")
        report.add("send→deliver latency", recorder.latencies.summary)
        report.add("delivered events/s", String(format: "%.0f", recorder.deliveriesPerSecond))
        report.add("REST send latency", sendLatencies.summary)
        if let drops { report.add("outbound queue drops", String(format: "%.0f", drops)) }
        return report
    }

    private func connect(receivers: [String], rooms: [String], target: BenchTarget, recorder: DeliveryRecorder,
                         progress: Progress) async throws -> BenchSocketGroup {
        let members = self.members
        return try await BenchSocketGroup.connect(tokens: receivers, baseURL: target.baseURL, threads: clientThreads,
                                                  topic: { "conversation:\(rooms[$0 / members])" },
                                                  recorder: recorder, progress: progress)
    }

    private func send(senders: [String], rooms: [String], target: BenchTarget, start: ContinuousClock.Instant)
        async throws -> LatencyRecorder
    {
        let counter = WorkCounter(total: messages)
        let interval: Duration? = rate > 0 ? .nanoseconds(Int64(1e9 / rate)) : nil
        return try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for _ in 0..<max(1, self.senders) {
                group.addTask {
                    var recorder = LatencyRecorder()
                    while let n = await counter.next() {
                        if let interval {
                            try await Task.sleep(until: start + interval * (n - 1), clock: .continuous)
                        }
                        let room = (n - 1) % rooms.count
                        let sent = ContinuousClock.now
                        _ = try await target.http.send(
                            .POST, "/v1/conversations/\(rooms[room])/messages", token: senders[room],
                            body: MessageCreateRequest(body: BenchStamp.body(sequence: n)), as: Message.self)
                        recorder.record(ContinuousClock.now - sent)
                    }
                    return recorder
                }
            }
            var all = LatencyRecorder()
            for try await recorder in group { all.merge(recorder) }
            return all
        }
    }
}
