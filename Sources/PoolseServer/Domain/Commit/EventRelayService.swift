import ServiceLifecycle

/// Runs the relay's two rounds: acknowledging published batches (every `acknowledgeInterval`)
/// and sweeping batches left behind (every `sweepInterval`, and once at start, which is when
/// a node that died finds its own). A last acknowledgement runs at shutdown.
struct EventRelayService: Service {
    let relay: EventRelay

    func run() async throws {
        let clock = ContinuousClock()
        var nextSweep = clock.now
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await relay.acknowledge()
            if clock.now >= nextSweep {
                while await relay.sweep() > 0 {}
                nextSweep = clock.now.advanced(by: relay.sweepInterval)
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: relay.acknowledgeInterval) }
            } catch {
                break
            }
        }
        await relay.acknowledge()
    }
}
