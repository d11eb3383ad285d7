import VaporCSQLite

/// Registers `poolse_search_text(body)` (`SearchText.indexText`) on a connection. The triggers
/// of the full-text index call it, so every connection that may write `messages` needs it;
/// `SQLiteStorage` registers it on each connection it opens. A tool that opens the file
/// without it can read, but a write to `messages` fails with "no such function".
enum SQLiteSearchFunction {
    static let name = "poolse_search_text"

    static func register(on handle: OpaquePointer) -> Int32 {
        sqlite_nio_sqlite3_create_function_v2(
            handle, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
            { context, count, values in
                guard count == 1, let values, let value = values[0],
                      sqlite_nio_sqlite3_value_type(value) != SQLITE_NULL,
                      let text = sqlite_nio_sqlite3_value_text(value)
                else {
                    sqlite_nio_sqlite3_result_null(context)
                    return
                }
                let length = Int(sqlite_nio_sqlite3_value_bytes(value))
                let bytes = UnsafeBufferPointer(start: text, count: length)
                // The send path runs this for every message: most need no change and no copy.
                guard SearchText.mayContainCJK(utf8: bytes) else {
                    sqlite_nio_sqlite3_result_value(context, value)
                    return
                }
                let spaced = SearchText.indexText(String(decoding: bytes, as: UTF8.self))
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                sqlite_nio_sqlite3_result_text64(context, spaced, UInt64(spaced.utf8.count), transient,
                                                 UInt8(SQLITE_UTF8))
            }, nil, nil, nil)
    }
}
