import AsyncHTTPClient
import ServiceLifecycle

/// Runs this node's outbound worker: keeps up to `concurrency` jobs running, claims more as
/// slots free up, and looks again when a commit here wrote jobs (`OutboundSignal`) or every
/// `pollInterval` when there was nothing to do. At a
/// graceful shutdown it stops claiming and lets the running jobs finish (their leases would
/// otherwise hold them for `leaseDuration`).
struct OutboundService: Service {
    let queue: OutboundQueue

    private enum Finished: Sendable { case job, tick }

    func run() async throws {
        // A node with no outbound worker (an API-only node) still serves the routes that enqueue.
        guard queue.configuration.concurrency > 0 else {
            try? await gracefulShutdown()
            return
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let capacity = queue.configuration.concurrency
        let poll = queue.configuration.pollInterval
        await withTaskGroup(of: Finished.self) { group in
            var running = 0
            var ticking = false
            var nextHousekeeping = ContinuousClock.now
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                if ContinuousClock.now >= nextHousekeeping {
                    await queue.housekeeping()
                    nextHousekeeping = .now + queue.configuration.housekeepingInterval
                }
                let jobs = (try? await queue.claim(limit: capacity - running)) ?? []
                for job in jobs {
                    running += 1
                    group.addTask { await queue.run(job, client: client); return .job }
                }
                // Claim again as soon as a job ends (a chain's next job may be due), or after a poll.
                if !ticking {
                    ticking = true
                    group.addTask {
                        await cancelWhenGracefulShutdown { await queue.signal.wait(upTo: poll) }
                        return .tick
                    }
                }
                guard let finished = await group.next() else { break }
                switch finished {
                case .job: running -= 1
                case .tick: ticking = false
                }
            }
            while let finished = await group.next() { if case .job = finished { running -= 1 } }
        }
        try? await client.shutdown()
    }
}
