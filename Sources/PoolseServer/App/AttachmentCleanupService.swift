import Logging
import ServiceLifecycle

/// Deletes the bytes and rows of deleted attachments and of uploads never sent with a
/// message (after `AttachmentConfiguration.pendingLifetime`), every `cleanupInterval`.
struct AttachmentCleanupService: Service {
    let attachments: AttachmentService
    let logger: Logger

    func run() async throws {
        let interval = max(1, attachments.settings.cleanupInterval)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let removed = try await attachments.purge()
                if removed > 0 { logger.debug("removed attachments", metadata: ["count": "\(removed)"]) }
            } catch {
                logger.warning("attachment cleanup failed")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
            } catch {
                return
            }
        }
    }
}
