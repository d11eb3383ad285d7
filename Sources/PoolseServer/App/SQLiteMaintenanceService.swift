import Logging
import ServiceLifecycle

/// Housekeeping that SQLite would otherwise do inside whichever write happens to trigger it,
/// adding tens of milliseconds to that one request:
///
/// - **WAL checkpoints.** The writer's automatic checkpoint is turned off while this runs; a
///   connection of its own copies the WAL into the database every `checkpointInterval`
///   (`PASSIVE`, so it never waits for or blocks a write), and the automatic one comes back
///   at shutdown.
/// - **Search index merges.** FTS5 writes a small segment per transaction and, with its
///   `automerge` off (migration 11), leaves merging them to this service: after writes, a
///   `merge` step of a bounded number of pages runs on the writer between two transactions.
struct SQLiteMaintenanceService: Service {
    let storage: SQLiteStorage
    let logger: Logger
    var interval: Duration = .milliseconds(250)
    var checkpointInterval: Duration = .seconds(1)
    /// Pages per merge step: at least `minimumMergePages`, more when many writes came in, so
    /// merging keeps up with the segments a busy writer makes.
    var minimumMergePages = 64
    var maximumMergePages = 2_000

    /// The service for `store` when it is SQLite; none for PostgreSQL.
    static func services(for store: Store, logger: Logger) -> [any Service] {
        guard let sqlite = store.storage as? SQLiteStorage else { return [] }
        return [SQLiteMaintenanceService(storage: sqlite, logger: logger)]
    }

    func run() async throws {
        try await storage.onWriter("PRAGMA wal_autocheckpoint = 0")
        let clock = ContinuousClock()
        var nextCheckpoint = clock.now.advanced(by: checkpointInterval)
        var mergedUpTo = storage.commits
        var checkpointedUpTo = storage.commits
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            mergedUpTo = await mergeStep(since: mergedUpTo)
            if clock.now >= nextCheckpoint {
                nextCheckpoint = clock.now.advanced(by: checkpointInterval)
                checkpointedUpTo = await checkpointStep(since: checkpointedUpTo)
            }
        }
        // SQLite's own checkpoints again, for whatever uses the database after this service.
        try? await storage.onWriter("PRAGMA wal_autocheckpoint = 1000")
    }

    /// One merge step when there were writes since `commits`; returns the new mark.
    func mergeStep(since commits: Int) async -> Int {
        let now = storage.commits
        guard now > commits else { return commits }
        let pages = min(maximumMergePages, max(minimumMergePages, 4 * (now - commits)))
        do {
            try await storage.onWriter("INSERT INTO message_search (message_search, rank) VALUES ('merge', \(pages))")
        } catch {
            logger.warning("search index merge failed", metadata: ["error": "\(error)"])
        }
        return now
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
