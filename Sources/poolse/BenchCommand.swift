import ArgumentParser
import Foundation
import PoolseBench

/// `poolse bench SCENARIO`: the load generator behind docs/benchmarks.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the server: latency percentiles, throughput, server CPU and memory.",
        discussion: """
            Without --api-url a server is started in this process on the embedded default (a \
            temporary database, rate limits off). For figures worth publishing run the server \
            and the load generator on separate cores, e.g. `taskset -c 0 poolse serve \
            --rate-limit-scale 0` and `taskset -c 1 poolse bench … --api-url … --api-key … \
            --server-pid …` (see docs/benchmarks.md). Build with -c release.
            """,
        subcommands: [Writes.self, History.self])

    struct TargetOptions: ParsableArguments {
        @Option(name: .customLong("api-url"), help: "A running server (default: start one in this process).")
        var apiURL: String?

        @Option(name: .customLong("api-key"), help: "The tenant API key of that server.")
        var apiKey: String?

        @Option(name: .customLong("server-pid"), help: "The server's process id, for its CPU time and memory.")
        var serverPID: Int32?

        @Option(name: .customLong("database-url"), help: "Database for the in-process server (default SQLite in a temporary directory).")
        var databaseURL: String?

        func target() throws -> Bench.TargetChoice {
            if let apiURL {
                guard let apiKey else { throw ValidationError("--api-url needs --api-key") }
                return .remote(url: apiURL, apiKey: apiKey, serverPID: serverPID)
            }
            return .inProcess(databaseURL: databaseURL)
        }
    }

    struct Writes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "REST write throughput: messages persisted per second at a concurrency.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Messages to send.") var messages = 5_000
        @Option(help: "Sends in flight (one user each).") var concurrency = 16
        @Option(help: "Conversations to spread sends over (1 = one sequence counter).") var conversations = 1

        func run() async throws {
            guard messages > 0, messages <= 10_000_000, concurrency > 0, concurrency <= 4_096, conversations > 0 else {
                throw ValidationError("messages 1…10,000,000, concurrency 1…4,096, conversations ≥ 1")
            }
            var scenario = WriteThroughputScenario()
            scenario.messages = messages
            scenario.concurrency = concurrency
            scenario.conversations = conversations
            try await Bench.run(.writes(scenario), target: target.target(), connections: concurrency)
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "History: seed a conversation, page it newest first, then catch up oldest first.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Messages in the conversation.") var messages = 100_000
        @Option(name: .customLong("page-size"), help: "Messages per page (at most 200).") var pageSize = 200

        func run() async throws {
            guard messages > 0, messages <= 10_000_000, (1...200).contains(pageSize) else {
                throw ValidationError("messages 1…10,000,000, page size 1…200")
            }
            var scenario = HistoryScenario()
            scenario.messages = messages
            scenario.pageSize = pageSize
            try await Bench.run(.history(scenario), target: target.target(), connections: scenario.seedConcurrency)
        }
    }
}
