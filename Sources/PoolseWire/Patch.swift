/// Update requests tell "leave unchanged" from "clear": a field of type `T??` is
/// `nil` when absent (unchanged), `.some(nil)` when sent as JSON `null` (cleared),
/// and `.some(value)` when set.
extension KeyedDecodingContainer {
    /// Decodes a field that distinguishes absent from `null`.
    public func decodePatch<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T?? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return .some(nil) }
        return .some(try decode(T.self, forKey: key))
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional field that may be absent but not `null`: where `null` would be read
    /// as "absent", a client sending it (`is_blocked: null` to "clear" a block) would see its
    /// request accepted and ignored. A `null` fails like a missing required value.
    public func decodeUnlessNull<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(T.self, forKey: key)
    }
}

extension KeyedEncodingContainer {
    /// Encodes a field that distinguishes absent from `null`.
    public mutating func encodePatch<T: Encodable>(_ value: T??, forKey key: Key) throws {
        switch value {
        case .none: return
        case .some(.none): try encodeNil(forKey: key)
        case .some(.some(let wrapped)): try encode(wrapped, forKey: key)
        }
    }
}
