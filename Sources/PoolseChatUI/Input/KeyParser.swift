/// Turns the bytes a terminal in raw mode sends into ``Key``s: UTF-8 characters (also when
/// one arrives split over two reads), control keys, and the CSI and SS3 escape sequences
/// of the arrows, Home/End, Delete and PageUp/PageDown.
///
/// An escape sequence or a character cut at the end of a read stays pending until more
/// bytes come. A lone ESC is ambiguous (the Escape key, or the start of a sequence still
/// on its way); the reader calls ``flush()`` when no byte followed it for a moment.
public struct KeyParser: Sendable {
    private var pending: [UInt8] = []

    /// A parser with nothing pending.
    public init() {}

    /// True while bytes wait for the rest of their sequence.
    public var hasPending: Bool { !pending.isEmpty }

    /// The keys in `bytes` (after what was pending); an incomplete tail stays pending.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var index = 0
        while index < pending.count {
            guard let (key, length) = Self.parse(pending[index...]) else { break }
            keys.append(key)
            index += length
        }
        pending.removeFirst(index)
        return keys
    }

    /// Whatever is pending, taken as typed: a lone ESC is the Escape key, a cut character
    /// is U+FFFD, an unfinished sequence is ``Key/unknown(_:)``.
    public mutating func flush() -> [Key] {
        defer { pending = [] }
        guard let first = pending.first else { return [] }
        if pending == [0x1B] { return [.escape] }
        if first == 0x1B { return [.unknown(pending)] }
        return [.character("\u{FFFD}")]
    }

    /// The key at the start of `bytes` and its length; nil when more bytes are needed.
    static func parse(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        guard let first = bytes.first else { return nil }
        switch first {
        case 0x1B: return parseEscape(bytes)
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x09: return (.tab, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x00: return (.unknown([0]), 1)
        case 0x01...0x1A: return (.control(Character(Unicode.Scalar(first + 0x60))), 1)
        case 0x1C...0x1F: return (.unknown([first]), 1)
        case 0x20..<0x80: return (.character(Character(Unicode.Scalar(first))), 1)
        default: return parseUTF8(bytes)
        }
    }

    private static func parseEscape(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let start = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        let second = bytes[start + 1]
        switch second {
        case UInt8(ascii: "["):
            // CSI: parameters and intermediates (0x20–0x3F), then one final byte (0x40–0x7E).
            var index = start + 2
            while index < bytes.endIndex, (0x20...0x3F).contains(bytes[index]) { index += 1 }
            guard index < bytes.endIndex else { return nil }
            let length = index - start + 1
            let parameters = String(decoding: bytes[(start + 2)..<index], as: UTF8.self)
            return (csiKey(parameters: parameters, final: bytes[index]) ?? .unknown(Array(bytes[start...index])), length)
        case UInt8(ascii: "O"):
            guard bytes.count >= 3 else { return nil }
            let key: Key = switch bytes[start + 2] {
            case UInt8(ascii: "A"): .up
            case UInt8(ascii: "B"): .down
            case UInt8(ascii: "C"): .right
            case UInt8(ascii: "D"): .left
            case UInt8(ascii: "H"): .home
            case UInt8(ascii: "F"): .end
            default: .unknown(Array(bytes[start...(start + 2)]))
            }
            return (key, 3)
        case 0x1B:
            return (.escape, 1)
        default:
            // Alt plus a key: the key itself is what matters here.
            return (.escape, 1)
        }
    }

    private static func csiKey(parameters: String, final: UInt8) -> Key? {
        // Modifiers (`1;5A` is Ctrl-Up) are ignored: the key is the same key.
        let first = parameters.split(separator: ";").first.map(String.init) ?? ""
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch first {
            case "1", "7": return .home
            case "3": return .delete
            case "4", "8": return .end
            case "5": return .pageUp
            case "6": return .pageDown
            default: return nil
            }
        default: return nil
        }
    }

    private static func parseUTF8(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let start = bytes.startIndex
        let first = bytes[start]
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (.character("\u{FFFD}"), 1)  // a stray continuation or invalid lead byte
        }
        for offset in 1..<length {
            guard start + offset < bytes.endIndex else { return nil }
            guard (0x80...0xBF).contains(bytes[start + offset]) else { return (.character("\u{FFFD}"), offset) }
        }
        var iterator = bytes[start..<(start + length)].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            return (.character("\u{FFFD}"), length)  // an overlong form or a surrogate
        }
        return (.character(Character(scalar)), length)
    }
}
