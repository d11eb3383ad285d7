import Foundation

/// The JSON encoder and decoder configured for the wire: RFC 3339 microsecond dates,
/// no key conversion (each type spells its `snake_case` keys in `CodingKeys`).
public enum WireCoding {
    /// An encoder for wire payloads. `JSONEncoder` is thread-safe once configured.
    public static let encoder: JSONEncoder = makeEncoder()
    /// A decoder for wire payloads.
    public static let decoder: JSONDecoder = makeDecoder()

    /// A new encoder with the wire's settings (sorted keys off: order does not matter on the wire).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireTime.format(date))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder with the wire's settings.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = WireTime.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 timestamp, got \(text)")
            }
            return date
        }
        return decoder
    }
}
