import Foundation
import SQLKit

/// One value as SQLite stores it.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case null
}

/// A statement's column names, looked up by name; shared by every row of the statement.
final class SQLiteColumns: Sendable {
    let names: [String]
    private let indexes: [String: Int]

    init(names: [String]) {
        self.names = names
        // The first of two same-named columns wins, as a `SELECT a.id, b.id` reader would expect.
        indexes = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var count: Int { names.count }

    func index(of name: String) -> Int? { indexes[name] }
}

/// A row read by `SQLiteConnectionHandle`, decoded through `SQLRow` into the few Swift types
/// the store reads (see `SQLRow+Columns.swift`).
struct SQLiteRowValues: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteValue]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        if case .null = try value(column) { return true }
        return false
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let readable = type as? any SQLiteReadable.Type else {
            throw SQLiteFailure(code: 20, message: "cannot read column \(column) as \(type)")
        }
        guard let decoded = try readable.read(try value(column), column: column) as? D else {
            throw SQLiteFailure(code: 20, message: "column \(column) is not a \(type)")
        }
        return decoded
    }

    private func value(_ column: String) throws -> SQLiteValue {
        guard let index = columns.index(of: column) else {
            throw SQLiteFailure(code: 1, message: "no column named \(column)")
        }
        return values[index]
    }
}

/// The types a column can be read as, with SQLite's own conversions between storage classes
/// kept narrow: a mismatch is an error, never a silent zero.
protocol SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Self
}

extension SQLiteReadable {
    static func mismatch(_ value: SQLiteValue, _ column: String) -> SQLiteFailure {
        SQLiteFailure(code: 20, message: "column \(column) holds \(value), not a \(Self.self)")
    }
}

extension String: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> String {
        guard case .text(let text) = value else { throw mismatch(value, column) }
        return text
    }
}

extension Int64: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Int64 {
        guard case .integer(let number) = value else { throw mismatch(value, column) }
        return number
    }
}

extension Int: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Int {
        Int(try Int64.read(value, column: column))
    }
}

extension Double: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Double {
        switch value {
        case .real(let number): return number
        case .integer(let number): return Double(number)
        default: throw mismatch(value, column)
        }
    }
}

extension Bool: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Bool {
        try Int64.read(value, column: column) != 0
    }
}

extension Data: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Data {
        switch value {
        case .blob(let data): return data
        case .text(let text): return Data(text.utf8)
        default: throw mismatch(value, column)
        }
    }
}

extension Optional: SQLiteReadable where Wrapped: SQLiteReadable {
    static func read(_ value: SQLiteValue, column: String) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.read(value, column: column)
    }
}
