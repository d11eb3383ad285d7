import Foundation
import PoolseWire
import SQLKit

/// Column readers that name the expected type once, so record decoders stay short.
extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Int.self) != 0 }
    func date(_ column: String) throws -> Date { WireTime.date(micros: try int64(column)) }
    func optionalDate(_ column: String) throws -> Date? { try optionalInt64(column).map(WireTime.date(micros:)) }
    func jsonObject(_ column: String) throws -> JSONObject? { JSONText.decodeObject(try optionalString(column)) }
}

/// JSON kept in text columns.
enum JSONText {
    static func encode<T: Encodable>(_ value: T?) -> String? {
        guard let value, let data = try? WireCoding.encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeObject(_ text: String?) -> JSONObject? {
        guard let text else { return nil }
        return try? WireCoding.decoder.decode(JSONObject.self, from: Data(text.utf8))
    }

    static func decodeStrings(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? WireCoding.decoder.decode([String].self, from: Data(text.utf8))) ?? []
    }
}
