import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLKit
import SQLiteKit

/// The embedded default: one SQLite file in WAL mode. All writes go through a single
/// writer connection, one transaction at a time; reads use a small pool of reader
/// connections, which WAL lets run beside the writer and which never see uncommitted data.
final class SQLiteStorage: SQLStorage {
    let engine = SQLEngine.sqlite
    private let writer: SQLiteConnection
    private let writeLock = AsyncLock()
    private let readers: [SQLiteConnection]
    private let nextReader = RoundRobin()
    private let threadPool: NIOThreadPool

    /// How SQLite syncs to disk: `normal` survives a process crash (WAL), `full` also a power loss.
    enum Synchronous: String, Sendable, CaseIterable {
        case normal = "NORMAL"
        case full = "FULL"
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.writer = writer
        self.readers = readers
        self.threadPool = threadPool
    }

    /// Opens (creating if missing) the database file at `path`.
    static func open(path: String, readerCount: Int = 4, synchronous: Synchronous = .normal,
                     logger: Logger) async throws -> SQLiteStorage {
        // A pool of our own, one thread per connection: SQLite calls block their thread
        // (a writer may wait on another process's lock), and sharing NIO's small singleton
        // pool would let such waits starve the connection that holds the lock.
        let threadPool = NIOThreadPool(numberOfThreads: max(1, readerCount) + 1)
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let writer = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
        let db = writer.sql()
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)")).run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        try await db.raw("PRAGMA busy_timeout = 5000").run()
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, readerCount) {
            let reader = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            try await reader.sql().raw("PRAGMA busy_timeout = 5000").run()
            readers.append(reader)
        }
        return SQLiteStorage(writer: writer, readers: readers, threadPool: threadPool)
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.next(modulo: readers.count)
        return try await body(readers[index].sql())
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = writer.sql()
        // IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way on it.
        return try await writeLock.withLock { try await db.inTransaction(begin: "BEGIN IMMEDIATE", body) }
    }

    func close() async {
        try? await writer.close()
        for reader in readers { try? await reader.close() }
        try? await threadPool.shutdownGracefully()
    }
}

/// A counter that spreads reads over the reader connections.
final class RoundRobin: Sendable {
    private let counter = NIOLockedValueBox(0)

    func next(modulo count: Int) -> Int {
        counter.withLockedValue { value in
            value &+= 1
            return value % count
        }
    }
}
