import Foundation

/// Runs one scenario against a target and prints its report.
public enum Bench {
    /// Where the server is.
    public enum TargetChoice: Sendable {
        case inProcess(databaseURL: String?)
        case remote(url: String, apiKey: String, serverPID: Int32?)
    }

    /// The scenarios.
    public enum Scenario: Sendable {
        case writes(WriteThroughputScenario)
        case history(HistoryScenario)
        case fanout(FanoutScenario)
        case idle(IdleConnectionsScenario)
        case search(SearchScenario)
    }

    public static func run(_ scenario: Scenario, target choice: TargetChoice, connections: Int) async throws {
        let target: BenchTarget
        switch choice {
        case .inProcess(let databaseURL):
            target = try await BenchTarget.inProcess(databaseURL: databaseURL, connections: connections)
        case .remote(let url, let apiKey, let pid):
            target = BenchTarget.remote(url: url, apiKey: apiKey, serverPID: pid, connections: connections)
        }
        do {
            let before = ProcessStats.read(pid: target.serverPID)
            let start = ContinuousClock.now
            let report: BenchReport
            switch scenario {
            case .writes(let writes): report = try await writes.run(on: target)
            case .history(let history): report = try await history.run(on: target)
            case .fanout(let fanout): report = try await fanout.run(on: target)
            case .idle(let idle): report = try await idle.run(on: target)
            case .search(let search): report = try await search.run(on: target)
            }
            let elapsed = ContinuousClock.now - start
            report.print(serverBefore: before, serverAfter: ProcessStats.read(pid: target.serverPID),
                         wallSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            await target.stop()
        } catch {
            await target.stop()
            throw error
        }
    }
}
