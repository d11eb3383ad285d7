import Logging
import ServiceLifecycle

/// WAL checkpoints off the write path. SQLite checkpoints inside whichever commit fills the WAL
/// past 1,000 pages, copying it into the database while that one request waits (several
/// milliseconds, tens on a busy disk). While this service runs, the writer's automatic
/// checkpoint is off and a connection of its own checkpoints every `interval` after writes
/// (`PASSIVE`: it never waits for or blocks a write or a read; frames newer than the oldest
/// open read stay for the next round). The automatic checkpoint comes back at shutdown.
struct SQLiteMaintenanceService: Service {
    let storage: SQLiteStorage
    let logger: Logger
    var interval: Duration = .seconds(1)

    /// The service for `store` when it is SQLite; none for PostgreSQL.
    static func services(for store: Store, logger: Logger) -> [any Service] {
        guard let sqlite = store.storage as? SQLiteStorage else { return [] }
        return [SQLiteMaintenanceService(storage: sqlite, logger: logger)]
    }

    func run() async throws {
        try await storage.onWriter("PRAGMA wal_autocheckpoint = 0")
        // A WAL that a long burst grew is cut back to this size when it starts over.
        try await storage.onWriter("PRAGMA journal_size_limit = \(64 << 20)")
        var checkpointedUpTo = storage.commits
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            checkpointedUpTo = await checkpointStep(since: checkpointedUpTo)
        }
        // SQLite's own checkpoints again, for whatever uses the database after this service.
        try? await storage.onWriter("PRAGMA wal_autocheckpoint = 1000")
    }

    /// A checkpoint when there were writes since `commits`; returns the new mark.
    func checkpointStep(since commits: Int) async -> Int {
        let now = storage.commits
        guard now > commits else { return commits }
        do {
            try await storage.checkpoint()
        } catch {
            logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
        }
        return now
    }
}
