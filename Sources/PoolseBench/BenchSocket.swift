import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One load-generator WebSocket speaking Phoenix v2 just enough for the bench: a raw SwiftNIO
/// channel whose frames go straight from the decoder to a `DeliveryRecorder` shard as bytes
/// (`BenchFrameHandler`), with no task, stream or `String` per frame, so that one core can
/// receive well over 100k frames/s. Sends may come from any thread.
final class BenchSocket: Sendable {
    /// Why a socket did not open.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Where the server's sockets are, resolved once for all of them.
    struct Endpoint: Sendable {
        let address: SocketAddress
        /// The `Host` header.
        let host: String
        /// The base URL's path, prefixed to `/socket/websocket`.
        let pathPrefix: String

        /// - Parameter baseURL: `http://host:port[/prefix]` (plain WebSocket only: the bench
        ///   measures servers on loopback or a private network).
        init(baseURL: String) throws {
            guard let url = URL(string: baseURL), let host = url.host, url.scheme == "http" || url.scheme == "ws" else {
                throw Failure(description: "bench sockets need an http:// or ws:// URL, got \(baseURL)")
            }
            address = try SocketAddress.makeAddressResolvingHost(host, port: url.port ?? 80)
            self.host = url.port.map { "\(host):\($0)" } ?? host
            pathPrefix = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        }
    }

    /// The largest frame accepted from the server, bytes (it sends frames up to 1 MiB).
    static let maxFrameSize = 1 << 20

    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects on `eventLoop` to `/socket/websocket?token=…&vsn=2.0.0` and returns once the
    /// upgrade succeeded; throws if it is refused (a bad token gets 403), fails or takes over 30 s.
    static func connect(to endpoint: Endpoint, token: String, on eventLoop: any EventLoop,
                        recorder shard: DeliveryRecorder.Shard) async throws -> BenchSocket {
        let upgraded = eventLoop.makePromise(of: Void.self)
        let timeout = eventLoop.scheduleTask(in: .seconds(30)) {
            upgraded.fail(Failure(description: "no upgrade within 30 s"))
        }
        upgraded.futureResult.whenComplete { _ in timeout.cancel() }

        let target = "\(endpoint.pathPrefix)/socket/websocket?token=\(token)&vsn=2.0.0"
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try pipeline(channel, host: endpoint.host, target: target, upgraded: upgraded, shard: shard)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: endpoint.address).get()
        } catch {
            upgraded.fail(error)
            throw error
        }
        do {
            try await upgraded.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let socket = BenchSocket(channel: channel)
        socket.keepAlive()
        return socket
    }

    /// How often a socket heartbeats, as real clients do: the server closes a socket it has not
    /// heard from for 60 s, and a fan-out run under load easily lasts longer than that after the
    /// joins.
    static let heartbeatInterval = TimeAmount.seconds(30)

    /// Sends `phx_join` for `topic` with `joinRef` as both refs.
    func join(_ topic: String, joinRef: String) {
        send(#"["\#(joinRef)","\#(joinRef)","\#(topic)","phx_join",{}]"#)
    }

    /// Sends a heartbeat.
    func heartbeat(ref: String) { send(#"[null,"\#(ref)","phoenix","heartbeat",{}]"#) }

    /// Sends a normal close (1000) and hangs up without waiting for the server's echo.
    func close() {
        channel.writeAndFlush(Self.frame(.connectionClose, ByteBuffer(integer: UInt16(1000))), promise: nil)
        channel.close(promise: nil)
    }

    /// Heartbeats on the socket's event loop until it closes.
    private func keepAlive() {
        let beats = channel.eventLoop.scheduleRepeatedTask(initialDelay: Self.heartbeatInterval,
                                                           delay: Self.heartbeatInterval) { [self] _ in
            heartbeat(ref: "keepalive")
        }
        channel.closeFuture.whenComplete { _ in beats.cancel() }
    }

    private func send(_ text: String) {
        channel.writeAndFlush(Self.frame(.text, ByteBuffer(string: text)), promise: nil)
    }

    /// Client frames must be masked (RFC 6455 §5.3); the encoder applies the key.
    private static func frame(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
    }

    /// HTTP/1.1 with the upgrade request; on `101` the HTTP handlers and `BenchUpgradeHandler`
    /// leave and the WebSocket codec and `BenchFrameHandler` take their place.
    private static func pipeline(_ channel: any Channel, host: String, target: String, upgraded: EventLoopPromise<Void>,
                                 shard: DeliveryRecorder.Shard) throws {
        let requestHandlerName = "bench-upgrade-request"
        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: maxFrameSize, automaticErrorHandling: false) { channel, _ in
            let added = channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(BenchFrameHandler(shard: shard))
            }
            added.cascade(to: upgraded)
            return added
        }
        let operations = channel.pipeline.syncOperations
        // Bytes the server sends right behind its 101 are handed on to the WebSocket decoder.
        try operations.addHTTPClientHandlers(
            leftOverBytesStrategy: .forwardBytes,
            withClientUpgrade: (upgraders: [upgrader], completionHandler: { context in
                context.pipeline.syncOperations.removeHandler(name: requestHandlerName, promise: nil)
            }))
        try operations.addHandler(BenchUpgradeHandler(host: host, target: target, upgraded: upgraded), name: requestHandlerName)
    }
}
