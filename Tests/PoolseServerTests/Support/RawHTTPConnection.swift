import Foundation
import NIOCore
import NIOPosix

/// A plain TCP connection to a test server, for what no HTTP client library sends: broken
/// request lines, NUL bytes, half a head, nothing at all. It collects what the server sends and
/// notices when the server closes.
actor RawHTTPConnection {
    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    private let channel: any Channel
    private let outgoing: AsyncStream<[UInt8]>.Continuation
    private var received: [UInt8] = []
    private var closed = false
    private var driver: Task<Void, Never>?

    private init(channel: any Channel, outgoing: AsyncStream<[UInt8]>.Continuation) {
        self.channel = channel
        self.outgoing = outgoing
    }

    static func open(port: Int) async throws -> RawHTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let (stream, input) = AsyncStream<[UInt8]>.makeStream()
        let connection = RawHTTPConnection(channel: channel.channel, outgoing: input)
        await connection.drive(channel, sending: stream)
        return connection
    }

    /// Writes what `send` queues and collects what arrives until the server closes.
    private func drive(_ asyncChannel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, sending stream: AsyncStream<[UInt8]>) {
        driver = Task {
            try? await asyncChannel.executeThenClose { inbound, outbound in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await bytes in stream { try? await outbound.write(ByteBuffer(bytes: bytes)) }
                    }
                    do {
                        for try await chunk in inbound { self.append(Array(chunk.readableBytesView)) }
                    } catch {
                        // A reset is a close, too.
                    }
                    self.markClosed()
                    group.cancelAll()
                }
            }
        }
    }

    private func append(_ bytes: [UInt8]) { received += bytes }
    private func markClosed() { closed = true }

    /// Everything received so far, as text.
    var text: String { String(decoding: received, as: UTF8.self) }
    /// Whether the server closed (or reset) the connection.
    var isClosed: Bool { closed }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws {
        outgoing.yield(bytes)
    }

    /// Waits until the server has closed the connection and returns all it sent.
    func readToClose(timeout: Duration = .seconds(15)) async throws -> String {
        try await wait(for: nil, occurrences: 1, timeout: timeout)
        return text
    }

    /// Waits until what the server sent contains `marker`, `occurrences` times.
    func waitFor(_ marker: String, occurrences: Int = 1, timeout: Duration = .seconds(15)) async throws {
        try await wait(for: marker, occurrences: occurrences, timeout: timeout)
    }

    /// Polls for `marker` in the received text, or for the close when `marker` is nil.
    private func wait(for marker: String?, occurrences: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(marker.map { text.components(separatedBy: $0).count > occurrences } ?? closed) {
            guard ContinuousClock.now < deadline else {
                throw Timeout(description: "waited in vain for \(marker ?? "the close"); received: \(text)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes the client side.
    func close() async {
        outgoing.finish()
        try? await channel.close()
        await driver?.value
    }
}
