import Logging
import ServiceLifecycle

/// Ends the calls nobody answered (`CallService.expireRinging`), every `sweepInterval`. Every
/// node runs it: only one of them ends each call (a conditional update), so no node is special.
struct CallSweepService: Service {
    let calls: CallService
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                while try await calls.expireRinging() > 0 {}
            } catch {
                logger.warning("call ring-out sweep failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: calls.configuration.sweepInterval) }
            } catch {
                return
            }
        }
    }
}
