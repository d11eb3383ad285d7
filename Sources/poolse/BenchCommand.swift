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
        subcommands: [Fanout.self, Rooms.self, Idle.self, Writes.self, History.self, Search.self])

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

    /// How the load generator runs its WebSockets (fanout, rooms, idle).
    struct ClientOptions: ParsableArguments {
        @Option(name: .customLong("client-threads"),
                help: "Event-loop threads receiving on the bench's sockets (1 suits a bench pinned to one core).")
        var threads = 1

        func validate() throws {
            guard (1...64).contains(threads) else { throw ValidationError("--client-threads 1…64") }
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

extension BenchCommand {
    struct Fanout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fan-out: one room of N connected members; send→deliver latency over every delivery.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Connected members per room.") var members = 1_000
        @Option(help: "Messages to send in all.") var messages = 500
        @Option(help: "Messages per second over all rooms; 0 = as fast as possible.") var rate = 50.0
        @Option(help: "Rooms (several rooms = the many-small-rooms scenario).") var rooms = 1
        @Option(help: "Sends in flight at most.") var senders = 32
        @OptionGroup var client: ClientOptions

        func run() async throws {
            guard members > 0, members * rooms <= 50_000, messages > 0, messages <= 1_000_000, rate >= 0,
                  rooms > 0, senders > 0, senders <= 1_024 else {
                throw ValidationError("members × rooms ≤ 50,000, messages ≤ 1,000,000, senders ≤ 1,024")
            }
            var scenario = FanoutScenario()
            scenario.members = members
            scenario.messages = messages
            scenario.rate = rate
            scenario.rooms = rooms
            scenario.senders = senders
            scenario.clientThreads = client.threads
            try await Bench.run(.fanout(scenario), target: target.target(), connections: senders)
        }
    }

    struct Rooms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Many small rooms: R rooms of K members, sends spread over them concurrently.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Rooms.") var rooms = 100
        @Option(help: "Connected members per room.") var members = 10
        @Option(help: "Messages to send in all.") var messages = 5_000
        @Option(help: "Messages per second; 0 = as fast as possible.") var rate = 0.0
        @Option(help: "Sends in flight at most.") var senders = 32
        @OptionGroup var client: ClientOptions

        func run() async throws {
            var fanout = Fanout()
            fanout.target = target
            fanout.members = members
            fanout.messages = messages
            fanout.rate = rate
            fanout.rooms = rooms
            fanout.senders = senders
            fanout.client = client
            try await fanout.run()
        }
    }

    struct Idle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Idle connections: how many joined sockets the server holds, and its memory per socket.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Sockets to open (each needs a file descriptor on both sides).") var connections = 10_000
        @Option(help: "Seconds to hold them.") var hold = 5
        @OptionGroup var client: ClientOptions

        func run() async throws {
            guard connections > 0, connections <= 60_000, hold >= 0, hold <= 600 else {
                throw ValidationError("connections 1…60,000, hold 0…600 s")
            }
            var scenario = IdleConnectionsScenario()
            scenario.connections = connections
            scenario.hold = hold
            scenario.clientThreads = client.threads
            try await Bench.run(.idle(scenario), target: target.target(), connections: 32)
        }
    }
}

extension BenchCommand {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search: seed messages in bulk, then search latency over HTTP and send cost with and without the index.")
        @OptionGroup var target: TargetOptions
        @Option(help: "Messages to seed (straight into the store).") var messages = 1_000_000
        @Option(help: "Conversations of the searching user.") var conversations = 100
        @Option(help: "Searches to time.") var queries = 500
        @Option(help: "Sends to time with the index, and as many without.") var sends = 1_000

        func run() async throws {
            guard (1...10_000_000).contains(messages), (1...10_000).contains(conversations), conversations <= messages,
                  (1...100_000).contains(queries), (0...100_000).contains(sends) else {
                throw ValidationError("messages 1…10,000,000, conversations 1…10,000 (≤ messages), queries 1…100,000, sends 0…100,000")
            }
            guard target.apiURL == nil else { throw ValidationError("bench search seeds through the store: run it without --api-url") }
            var scenario = SearchScenario()
            scenario.messages = messages
            scenario.conversations = conversations
            scenario.queries = queries
            scenario.sends = sends
            try await Bench.run(.search(scenario), target: target.target(), connections: 4)
        }
    }
}
