import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The embedded default: one SQLite file in WAL mode. All writes go through a single writer
/// connection, one transaction at a time; reads use a small pool of reader connections, which
/// WAL lets run beside the writer and which never see uncommitted data.
///
/// Each connection has a thread of its own, and a transaction or read runs there from start to
/// end (`withTaskExecutorPreference`), its statements executed inline with cached prepared
/// statements. A send of fifteen statements thus crosses threads twice, not thirty times.
final class SQLiteStorage: SQLStorage {
    let engine = SQLEngine.sqlite
    private let writer: SQLiteLane
    private let writeLock = AsyncLock()
    private let readers: SQLiteReaderPool
    /// A connection of its own for WAL checkpoints (`SQLiteMaintenance`), so copying the WAL
    /// into the database never runs on the writer or holds a reader.
    private let checkpointer: SQLiteLane
    private let checkpointLock = AsyncLock()
    /// Write transactions committed so far (maintenance runs only after writes).
    private let commitCount = NIOLockedValueBox<Int>(0)
    private let logger: Logger

    /// How SQLite syncs to disk: `normal` survives a process crash (WAL), `full` also a power loss.
    enum Synchronous: String, Sendable, CaseIterable {
        case normal = "NORMAL"
        case full = "FULL"
    }

    private init(writer: SQLiteLane, readers: [SQLiteLane], checkpointer: SQLiteLane, logger: Logger) {
        self.writer = writer
        self.readers = SQLiteReaderPool(readers)
        self.checkpointer = checkpointer
        self.logger = logger
    }

    /// Opens (creating if missing) the database file at `path`.
    static func open(path: String, readerCount: Int = 4, synchronous: Synchronous = .normal,
                     logger: Logger) async throws -> SQLiteStorage {
        let writer = try SQLiteLane(path: path, name: "poolse-sqlite-writer")
        try writer.connection.run("PRAGMA journal_mode = WAL")
        try writer.connection.run("PRAGMA synchronous = \(synchronous.rawValue)")
        try writer.connection.run("PRAGMA foreign_keys = ON")
        try writer.connection.run("PRAGMA busy_timeout = 5000")
        var readers: [SQLiteLane] = []
        for index in 0..<max(1, readerCount) {
            let reader = try SQLiteLane(path: path, name: "poolse-sqlite-reader-\(index)")
            try reader.connection.run("PRAGMA busy_timeout = 5000")
            readers.append(reader)
        }
        let checkpointer = try SQLiteLane(path: path, name: "poolse-sqlite-checkpoint")
        try checkpointer.connection.run("PRAGMA busy_timeout = 5000")
        return SQLiteStorage(writer: writer, readers: readers, checkpointer: checkpointer, logger: logger)
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let reader = await readers.checkOut()
        defer { readers.checkIn(reader) }
        let db = SQLiteInlineDatabase(connection: reader.connection, logger: logger)
        return try await withTaskExecutorPreference(reader.executor) { try await body(db) }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = SQLiteInlineDatabase(connection: writer.connection, logger: logger)
        return try await withTaskExecutorPreference(writer.executor) {
            // IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way on it.
            try await writeLock.withLock {
                let result = try await db.inTransaction(begin: "BEGIN IMMEDIATE", body)
                commitCount.withLockedValue { $0 += 1 }
                return result
            }
        }
    }

    /// Copies what it can of the WAL into the database without waiting for anyone
    /// (`PASSIVE`: frames newer than the oldest open read stay for the next round).
    func checkpoint() async throws {
        try await withTaskExecutorPreference(checkpointer.executor) {
            try await checkpointLock.withLock { try checkpointer.connection.run("PRAGMA wal_checkpoint(PASSIVE)") }
        }
    }

    /// Write transactions committed since the database was opened.
    var commits: Int { commitCount.withLockedValue { $0 } }

    /// Runs a statement on the writer outside any transaction, between two writes (pragmas).
    func onWriter(_ sql: String) async throws {
        try await withTaskExecutorPreference(writer.executor) {
            try await writeLock.withLock { try writer.connection.run(sql) }
        }
    }

    func close() async {
        try? await writeLock.withLock { writer.close() }
        await readers.closeAll()
        try? await checkpointLock.withLock { checkpointer.close() }
    }
}

/// A connection and the thread it runs on.
final class SQLiteLane: Sendable {
    let connection: SQLiteConnectionHandle
    let executor: DedicatedThreadExecutor

    init(path: String, name: String) throws {
        connection = try SQLiteConnectionHandle(path: path)
        executor = DedicatedThreadExecutor(name: name)
    }

    func close() {
        connection.close()
        executor.shutdown()
    }
}

/// Hands each read a reader connection of its own, waiting first-come-first-served when all
/// are busy (a connection's cached statements must not be stepped by two reads at once).
final class SQLiteReaderPool: Sendable {
    private struct State {
        var idle: [SQLiteLane]
        var waiters: [CheckedContinuation<SQLiteLane, Never>] = []
        var all: [SQLiteLane]
    }

    private let state: NIOLockedValueBox<State>

    init(_ readers: [SQLiteLane]) {
        state = NIOLockedValueBox(State(idle: readers, all: readers))
    }

    func checkOut() async -> SQLiteLane {
        if let lane = state.withLockedValue({ $0.idle.popLast() }) { return lane }
        return await withCheckedContinuation { waiter in
            let lane: SQLiteLane? = state.withLockedValue { state in
                if let lane = state.idle.popLast() { return lane }
                state.waiters.append(waiter)
                return nil
            }
            if let lane { waiter.resume(returning: lane) }
        }
    }

    func checkIn(_ lane: SQLiteLane) {
        let waiter: CheckedContinuation<SQLiteLane, Never>? = state.withLockedValue { state in
            if state.waiters.isEmpty {
                state.idle.append(lane)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: lane)
    }

    /// Closes every reader once it is idle.
    func closeAll() async {
        let count = state.withLockedValue { $0.all.count }
        for _ in 0..<count { await checkOut().close() }
    }
}
