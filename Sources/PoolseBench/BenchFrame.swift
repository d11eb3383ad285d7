import Foundation
import NIOCore

/// What a text frame from the server means to the bench, read from its bytes without decoding
/// JSON or building a `String`: at 100k frames/s the load generator must cost far less per frame
/// than the server that encoded it.
enum BenchFrame: Equatable, Sendable {
    /// A `message:new` whose body starts with a send stamp (`t=<ns>`, see `BenchStamp`).
    case delivery(sentAt: UInt64)
    /// An ok `phx_reply` off the `phoenix` topic: the bench sends nothing else that is answered
    /// there, so it is a join.
    case joinReply
    /// Anything else (heartbeat replies, presence, other events, unstamped messages).
    case other

    /// Classifies the readable bytes of a v2 frame (`[join_ref, ref, topic, event, payload]`).
    static func classify(_ buffer: ByteBuffer) -> BenchFrame {
        buffer.withUnsafeReadableBytes { classify($0) }
    }

    /// Classifies a v2 frame. Only the array's first four elements are parsed; the payload is
    /// searched for one key, so its key order does not matter. A needle can only match outside
    /// JSON strings: inside one its quotes would be escaped.
    static func classify(_ bytes: UnsafeRawBufferPointer) -> BenchFrame {
        var cursor = JSONPrefixCursor(bytes)
        guard cursor.consume(UInt8(ascii: "[")), cursor.skipScalar(), cursor.consume(UInt8(ascii: ",")),
              cursor.skipScalar(), cursor.consume(UInt8(ascii: ",")),
              let topic = cursor.string(), cursor.consume(UInt8(ascii: ",")),
              let event = cursor.string(), cursor.consume(UInt8(ascii: ","))
        else { return .other }
        let payload = cursor.index

        if bytes.equals(event, "message:new") {
            let marker: StaticString = #""body":"t="#
            guard let at = bytes.firstIndex(of: marker, from: payload),
                  let sent = bytes.decimal(at: at + marker.utf8CodeUnitCount)
            else { return .other }
            return .delivery(sentAt: sent)
        }
        if bytes.equals(event, "phx_reply"), !bytes.equals(topic, "phoenix"),
           bytes.firstIndex(of: #""status":"ok""#, from: payload) != nil {
            return .joinReply
        }
        return .other
    }
}

/// Walks the start of a JSON array one token at a time; every step answers false or nil when
/// the bytes are not what it expected, and the caller gives up on the frame.
private struct JSONPrefixCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Skips whitespace, then one `byte`.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Skips a string, `null` or a number (what `join_ref` and `ref` may be).
    mutating func skipScalar() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "\"") { return string() != nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "]") { index += 1 }
        return index > start
    }

    /// Skips a string; returns the range of its contents between the quotes, escapes as they are.
    mutating func string() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            default: index += 1
            }
        }
        return nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes in `range` are exactly `text`.
    fileprivate func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount, let base = baseAddress else { return false }
        return memcmp(base + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Where `needle` first starts at or after `start`. memchr finds candidates for its first
    /// byte (vectorised in libc), memcmp checks the rest.
    fileprivate func firstIndex(of needle: StaticString, from start: Int) -> Int? {
        let length = needle.utf8CodeUnitCount
        guard let base = baseAddress, length > 0 else { return nil }
        let first = Int32(needle.utf8Start.pointee)
        var from = start
        while count - from >= length {
            guard let hit = memchr(base + from, first, count - from - length + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, needle.utf8Start, length) == 0 { return at }
            from = at + 1
        }
        return nil
    }

    /// The unsigned decimal starting at `start`, up to the first non-digit or the end; nil when
    /// there is no digit or it overflows 64 bits.
    fileprivate func decimal(at start: Int) -> UInt64? {
        var value: UInt64 = 0
        var index = start
        while index < count {
            let digit = self[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return index > start ? value : nil
    }
}
