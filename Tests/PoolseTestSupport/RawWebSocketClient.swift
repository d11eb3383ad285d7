import Foundation
import NIOCore
import NIOPosix

/// A WebSocket client with no WebSocket library under it: a TCP connection on loopback that
/// writes an upgrade request and hand-built frames, masked or not, and reads the server's
/// frames byte by byte. For testing what a server does with frames a real client would never
/// send.
public final class RawWebSocketClient: Sendable {
    /// One frame from the server.
    public struct Frame: Sendable, Equatable {
        public let opcode: UInt8
        public let payload: [UInt8]

        /// The code of a close frame; nil for other frames or an empty close.
        public var closeCode: UInt16? {
            guard opcode == RawWebSocketClient.close, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }

        public var text: String { String(decoding: payload, as: UTF8.self) }
    }

    /// What reading brought.
    public enum Read: Sendable, Equatable {
        case frame(Frame)
        /// The server closed the TCP connection.
        case closed
        case timedOut
    }

    public static let text: UInt8 = 0x1
    public static let close: UInt8 = 0x8
    public static let ping: UInt8 = 0x9

    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let reader: Reader

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, reader: Reader) {
        self.channel = channel
        self.reader = reader
    }

    /// Connects to `127.0.0.1:port` and upgrades `target` (`/path?query`); throws unless the
    /// server answers 101.
    public static func connect(port: Int, target: String) async throws -> RawWebSocketClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let reader = Reader()
        let client = RawWebSocketClient(channel: channel, reader: reader)
        Task {
            try? await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await buffer in inbound { await reader.append(Array(buffer.readableBytesView)) }
                    }
                    group.addTask {
                        for await bytes in reader.outgoing { try await outbound.write(ByteBuffer(bytes: bytes)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            await reader.end()
        }
        let request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        reader.send(Array(request.utf8))
        let head = await reader.head(timeout: .seconds(10))
        guard let head, head.hasPrefix("HTTP/1.1 101") else {
            client.abort()
            throw RawWebSocketError("the upgrade was not accepted: \(head ?? "no answer")")
        }
        return client
    }

    /// Writes a frame; clients mask, so `masked: false` breaks RFC 6455 on purpose.
    public func write(opcode: UInt8, payload: [UInt8], masked: Bool = true, fin: Bool = true) {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126:
            bytes.append(maskBit | UInt8(payload.count))
        case ...0xFFFF:
            bytes.append(maskBit | 126)
            bytes += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        if masked {
            let key: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
            bytes += key
            bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        } else {
            bytes += payload
        }
        reader.send(bytes)
    }

    /// Writes a text frame.
    public func write(text: String, masked: Bool = true) {
        write(opcode: Self.text, payload: Array(text.utf8), masked: masked)
    }

    /// Writes a close frame with `code` (none when nil) and `reason` bytes.
    public func writeClose(code: UInt16?, reason: [UInt8] = []) {
        var payload: [UInt8] = []
        if let code { payload = [UInt8(code >> 8), UInt8(code & 0xFF)] }
        write(opcode: Self.close, payload: payload + reason)
    }

    /// The next frame from the server, or how reading ended.
    public func read(timeout: Duration = .seconds(10)) async -> Read {
        await reader.frame(timeout: timeout)
    }

    /// Reads until a close frame comes; nil when the connection ends or time runs out first.
    public func readClose(timeout: Duration = .seconds(10)) async -> Frame? {
        while true {
            switch await read(timeout: timeout) {
            case .frame(let frame) where frame.opcode == Self.close: return frame
            case .frame: continue
            case .closed, .timedOut: return nil
            }
        }
    }

    /// Whether the server closes the TCP connection within `timeout` (frames on the way are skipped).
    public func closesConnection(timeout: Duration = .seconds(10)) async -> Bool {
        while true {
            switch await read(timeout: timeout) {
            case .frame: continue
            case .closed: return true
            case .timedOut: return false
            }
        }
    }

    /// Drops the connection.
    public func abort() {
        reader.finishWriting()
        channel.channel.close(promise: nil)
    }

    deinit { abort() }
}

/// A raw client's failure.
public struct RawWebSocketError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Bytes from the server, parsed into the HTTP head and then frames, with one bounded wait at a time.
private actor Reader {
    nonisolated let outgoing: AsyncStream<[UInt8]>
    private nonisolated let outgoingInput: AsyncStream<[UInt8]>.Continuation
    private var bytes: [UInt8] = []
    private var ended = false
    private var waiter: CheckedContinuation<Void, Never>?

    init() {
        (outgoing, outgoingInput) = AsyncStream.makeStream()
    }

    nonisolated func send(_ bytes: [UInt8]) { outgoingInput.yield(bytes) }
    nonisolated func finishWriting() { outgoingInput.finish() }

    func append(_ more: [UInt8]) {
        bytes += more
        wake()
    }

    func end() {
        ended = true
        wake()
    }

    /// The HTTP response head, once it has arrived in full.
    func head(timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = Self.range(of: Array("\r\n\r\n".utf8), in: bytes) {
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                bytes.removeFirst(end + 4)
                return head
            }
            guard !ended, await wait(until: deadline) else { return nil }
        }
    }

    func frame(timeout: Duration) async -> RawWebSocketClient.Read {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let frame = takeFrame() { return .frame(frame) }
            if ended { return .closed }
            guard await wait(until: deadline) else { return .timedOut }
        }
    }

    /// One whole frame from the front of the bytes (server frames are unmasked).
    private func takeFrame() -> RawWebSocketClient.Frame? {
        guard bytes.count >= 2 else { return nil }
        let opcode = bytes[0] & 0x0F
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard bytes.count >= offset + length else { return nil }
        let payload = Array(bytes[offset..<(offset + length)])
        bytes.removeFirst(offset + length)
        return RawWebSocketClient.Frame(opcode: opcode, payload: payload)
    }

    /// Waits for more bytes or the end; false when the deadline passes first.
    private func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        let before = bytes.count
        let wasEnded = ended
        await withCheckedContinuation { continuation in
            waiter = continuation
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.wake()
            }
        }
        return bytes.count != before || ended != wasEnded || ContinuousClock.now < deadline
    }

    private func wake() {
        waiter?.resume()
        waiter = nil
    }

    private static func range(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
