import Logging
import ServiceLifecycle

/// Deletes stored idempotent responses once they are past retention, every 10 minutes.
struct IdempotencyPurgeService: Service {
    let `guard`: IdempotencyGuard
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let purged = try await `guard`.purge()
                if purged > 0 { logger.debug("purged idempotency records", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.warning("idempotency purge failed")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(600)) }
            } catch {
                return
            }
        }
    }
}
