import Foundation
import SQLKit
import VaporCSQLite

/// One SQLite connection driven directly through the C API, synchronously on the calling
/// thread, with its prepared statements kept for reuse (SQLite otherwise re-parses every
/// statement, which was the largest single cost of a send).
///
/// Not thread-safe by design: `SQLiteStorage` hands a connection to one task at a time, and
/// that task runs on the connection's own `DedicatedThreadExecutor`.
final class SQLiteConnectionHandle: @unchecked Sendable {
    /// Statements kept at most; the store issues a few dozen distinct ones, so this bound only
    /// stops an unexpected stream of distinct SQL from growing the cache without end.
    static let statementCacheLimit = 256

    private var handle: OpaquePointer?
    private var statements: [String: CachedStatement] = [:]

    /// Opens (creating if missing) the database at `path`.
    init(path: String) throws {
        SQLiteLibrary.initializeOnce()
        // NOMUTEX: the storage never shares a connection between threads at the same time.
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        var opened: OpaquePointer?
        let status = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close_v2(opened)
            throw SQLiteFailure(code: status, message: "\(message) (\(path))")
        }
        handle = opened
        let registered = SQLiteSearchFunction.register(on: opened)
        guard registered == SQLITE_OK else {
            throw SQLiteFailure(code: registered, message: "cannot register \(SQLiteSearchFunction.name)")
        }
    }

    deinit { close() }

    /// Runs one statement, handing each row to `onRow` as it is stepped.
    func execute(_ sql: String, binds: [any Encodable & Sendable], onRow: (SQLiteRowValues) -> Void) throws {
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        let cached = try statement(for: sql, on: handle)
        let statement = cached.pointer
        // Every parameter is bound again on the next use, so bindings are not cleared: clearing
        // one that a `LIMIT ?` depends on would make SQLite re-prepare the statement each time.
        defer { sqlite_nio_sqlite3_reset(statement) }
        for (offset, value) in binds.enumerated() {
            try check(SQLiteBind.bind(value, to: statement, at: Int32(offset + 1)), handle)
        }
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status, handle) }
            onRow(SQLiteRowValues(columns: cached.columns, values: readRow(statement, count: cached.columns.count)))
        }
    }

    /// Runs a statement that returns nothing (pragmas at open).
    func run(_ sql: String) throws {
        try execute(sql, binds: []) { _ in }
    }

    func close() {
        for cached in statements.values { sqlite_nio_sqlite3_finalize(cached.pointer) }
        statements.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    // MARK: - Statements

    private struct CachedStatement {
        let pointer: OpaquePointer
        let columns: SQLiteColumns
    }

    private func statement(for sql: String, on handle: OpaquePointer) throws -> CachedStatement {
        if let cached = statements[sql] { return cached }
        if statements.count >= Self.statementCacheLimit {
            for cached in statements.values { sqlite_nio_sqlite3_finalize(cached.pointer) }
            statements.removeAll(keepingCapacity: true)
        }
        var prepared: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard status == SQLITE_OK, let prepared else { throw failure(status, handle) }
        let count = sqlite_nio_sqlite3_column_count(prepared)
        let names = (0..<count).map { column in
            sqlite_nio_sqlite3_column_name(prepared, column).map { String(cString: $0) } ?? ""
        }
        let cached = CachedStatement(pointer: prepared, columns: SQLiteColumns(names: names))
        statements[sql] = cached
        return cached
    }

    private func readRow(_ statement: OpaquePointer, count: Int) -> [SQLiteValue] {
        var values: [SQLiteValue] = []
        values.reserveCapacity(count)
        for column in 0..<Int32(count) {
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite_nio_sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite_nio_sqlite3_column_double(statement, column)))
            case SQLITE_TEXT:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                let text = sqlite_nio_sqlite3_column_text(statement, column)
                values.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)))
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                let bytes = sqlite_nio_sqlite3_column_blob(statement, column)
                values.append(.blob(bytes.map { Data(bytes: $0, count: length) } ?? Data()))
            default:
                values.append(.null)
            }
        }
        return values
    }

    private func check(_ status: Int32, _ handle: OpaquePointer) throws {
        guard status == SQLITE_OK else { throw failure(status, handle) }
    }

    private func failure(_ status: Int32, _ handle: OpaquePointer) -> SQLiteFailure {
        SQLiteFailure(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }
}

/// An error reported by SQLite, with its extended result code.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }
}

/// `sqlite3_initialize` must run once before connections are opened from several threads.
enum SQLiteLibrary {
    private static let initialized: Void = { _ = sqlite_nio_sqlite3_initialize() }()

    static func initializeOnce() { _ = initialized }
}
