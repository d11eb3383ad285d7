import Foundation
import PoolseWire

/// Scenario 3: `connections` sockets, each joined to its user's topic, held idle; reports
/// how many the server holds and its resident memory per connection.
public struct IdleConnectionsScenario: Sendable {
    public var connections = 10_000
    /// Seconds to hold the sockets after the last join (heartbeats keep them alive).
    public var hold = 5
    /// Event-loop threads running the sockets (default 1: the bench runs on one core).
    public var clientThreads = 1

    public init() {}

    func run(on target: BenchTarget) async throws -> BenchReport {
        FileHandle.standardError.write(Data("  creating \(connections) users…\n".utf8))
        let tag = UUID().uuidString.prefix(6)
        let users = try await target.users((0..<connections).map { "idle-\(tag)-\($0)" })
        let baseline = ProcessStats.read(pid: target.serverPID)
        let recorder = DeliveryRecorder()
        let progress = Progress("sockets joined", total: connections)
        let userIds = users.map(\.user.id)
        let sockets = try await BenchSocketGroup.connect(tokens: users.map(\.token), baseURL: target.baseURL,
                                                         threads: clientThreads, topic: { "user:\(userIds[$0])" },
                                                         recorder: recorder, progress: progress)
        let allJoined = await recorder.waitForJoins(connections, timeout: .seconds(120))
        // The sockets heartbeat by themselves (`BenchSocket.heartbeatInterval`).
        try await Task.sleep(for: .seconds(hold))
        let held = ProcessStats.read(pid: target.serverPID)
        let open = await target.metric("poolse_realtime_open_sockets")
        let joined = await target.metric("poolse_realtime_joined_channels")
        await sockets.close()

        var report = BenchReport(title: "Idle connections: \(connections) sockets, each joined to its user topic")
        report.add("joins answered", "\(recorder.joined) of \(connections)\(allJoined ? "" : " (TIMED OUT)")")
        if let open { report.add("server open sockets", String(format: "%.0f", open)) }
        if let joined { report.add("server joined channels", String(format: "%.0f", joined)) }
        if let baseline, let held {
            let delta = held.residentBytes - baseline.residentBytes
            report.add("server RSS before → held", "\(baseline.residentBytes / 1_048_576) MiB → \(held.residentBytes / 1_048_576) MiB")
            report.add("server memory per socket", String(format: "%.1f KiB", Double(delta) / Double(connections) / 1024))
        } else {
            report.add("server memory per socket", "unknown (pass --server-pid for a remote server)")
        }
        return report
    }
}
