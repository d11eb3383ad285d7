import Foundation
import VaporCSQLite

/// Binds SQLKit's values (`any Encodable`) to statement parameters. The store binds only
/// strings, integers, doubles, booleans, bytes and optionals of those; anything else is a
/// programming error and fails loudly instead of being stored in some guessed form.
enum SQLiteBind {
    /// SQLite copies text and blobs before the call returns (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ value: any Encodable, to statement: OpaquePointer, at index: Int32) throws -> Int32 {
        switch value {
        case let text as String:
            return sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), transient,
                                                  UInt8(SQLITE_UTF8))
        case let number as Int:
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case let number as Int64:
            return sqlite_nio_sqlite3_bind_int64(statement, index, number)
        case let number as Int32:
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case let number as Double:
            return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case let flag as Bool:
            return sqlite_nio_sqlite3_bind_int64(statement, index, flag ? 1 : 0)
        case let data as Data:
            return data.withUnsafeBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        case let bytes as [UInt8]:
            return bytes.withUnsafeBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        case let optional as any OptionalBindable:
            guard let wrapped = optional.wrappedBindable else { return sqlite_nio_sqlite3_bind_null(statement, index) }
            return try bind(wrapped, to: statement, at: index)
        default:
            throw SQLiteFailure(code: SQLITE_MISMATCH, message: "cannot bind a value of type \(type(of: value))")
        }
    }
}

/// Lets `SQLiteBind` see through optionals, whose wrapped type it does not know statically.
protocol OptionalBindable {
    var wrappedBindable: (any Encodable)? { get }
}

extension Optional: OptionalBindable where Wrapped: Encodable {
    var wrappedBindable: (any Encodable)? { self }
}
