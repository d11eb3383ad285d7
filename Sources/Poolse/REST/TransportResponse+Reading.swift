import Foundation

extension TransportResponse {
    /// True when the server replayed a stored answer for a reused `Idempotency-Key`
    /// (header `Idempotent-Replayed: true`, PROTOCOL.md §4.2).
    public var isReplayed: Bool {
        header("Idempotent-Replayed")?.lowercased() == "true"
    }

    /// The body decoded with the wire's rules; unknown fields are ignored.
    /// - Throws: ``InvalidResponseError`` when the body does not decode.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        do {
            return try WireCoding.decoder.decode(Value.self, from: body)
        } catch {
            throw InvalidResponseError(status: statusCode, underlying: error, body: body)
        }
    }
}
