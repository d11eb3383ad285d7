import NIOCore
import NIOPosix

/// The bench's sockets and the event loops that run them. One loop thread by default: the bench
/// process is pinned to one core, and a second thread there would only add switches.
final class BenchSocketGroup: Sendable {
    /// The sockets, in the order of their tokens.
    let sockets: [BenchSocket]
    private let eventLoops: MultiThreadedEventLoopGroup

    private init(sockets: [BenchSocket], eventLoops: MultiThreadedEventLoopGroup) {
        self.sockets = sockets
        self.eventLoops = eventLoops
    }

    /// Opens one socket per token on `threads` event loops, 32 connects in flight, and joins
    /// `topic(index)` on each; every frame goes to `recorder` (one shard per loop).
    static func connect(tokens: [String], baseURL: String, threads: Int, topic: @escaping @Sendable (Int) -> String,
                        recorder: DeliveryRecorder, progress: Progress) async throws -> BenchSocketGroup {
        let endpoint = try BenchSocket.Endpoint(baseURL: baseURL)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let loops = group.makeIterator().map { (loop: $0, shard: recorder.makeShard()) }
        do {
            let sockets = try await withThrowingTaskGroup(of: [(Int, BenchSocket)].self) { lanes in
                let laneCount = 32
                for lane in 0..<laneCount {
                    lanes.addTask {
                        var mine: [(Int, BenchSocket)] = []
                        for index in stride(from: lane, to: tokens.count, by: laneCount) {
                            let (loop, shard) = loops[index % loops.count]
                            let socket = try await BenchSocket.connect(to: endpoint, token: tokens[index], on: loop,
                                                                       recorder: shard)
                            socket.join(topic(index), joinRef: "1")
                            mine.append((index, socket))
                            await progress.add()
                        }
                        return mine
                    }
                }
                var all: [(Int, BenchSocket)] = []
                for try await some in lanes { all += some }
                return all.sorted { $0.0 < $1.0 }.map(\.1)
            }
            return BenchSocketGroup(sockets: sockets, eventLoops: group)
        } catch {
            // Shutting the loops down closes the sockets opened so far.
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Closes every socket and stops the event loops.
    func close() async {
        for socket in sockets { socket.close() }
        try? await eventLoops.shutdownGracefully()
    }
}
