import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// A request as a stand-in server saw it (header names lowercased).
struct StandInRequest: Sendable {
    let method: String
    let path: String
    let headers: [String: String]
    let body: Data

    /// The body as a JSON object, when it is one.
    var jsonObject: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// What a stand-in answers, optionally after `delay` (a slow server, for timeouts).
struct StandInResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: Data = Data()
    var delay: TimeAmount?

    static func json(_ status: Int, _ object: [String: Any], headers: [String: String] = [:]) -> StandInResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return StandInResponse(status: status, headers: headers.merging(["content-type": "application/json"]) { a, _ in a },
                               body: body)
    }
}

/// A real HTTP server on a loopback port for tests that need a remote party (push providers,
/// hooks): plain HTTP/1.1, or HTTP/2 only over TLS (ALPN `h2`, as APNs). Every request is
/// answered by `handler`, called on the event loop.
final class LoopbackHTTPServer: Sendable {
    enum Mode: Sendable {
        case http1
        case http2TLS(TestCertificates)
    }

    private let mode: Mode
    private let handler: @Sendable (StandInRequest) -> StandInResponse
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(mode: Mode, handler: @escaping @Sendable (StandInRequest) -> StandInResponse) {
        self.mode = mode
        self.handler = handler
    }

    /// Binds `127.0.0.1` on a free port; returns the port.
    @discardableResult
    func start() async throws -> Int {
        let handler = self.handler
        let tls: NIOSSLContext?
        switch mode {
        case .http1: tls = nil
        case .http2TLS(let certificates):
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.keyFile, format: .pem)))
            configuration.applicationProtocols = ["h2"]
            tls = try NIOSSLContext(configuration: configuration)
        }
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls))
                        _ = try sync.configureHTTP2Pipeline(mode: .server, connectionConfiguration: .init(),
                                                            streamConfiguration: .init()) { stream in
                            stream.eventLoop.makeCompletedFuture {
                                try stream.pipeline.syncOperations.addHandlers([
                                    HTTP2FramePayloadToHTTP1ServerCodec(), StandInHandler(http2: true, handler: handler),
                                ])
                            }
                        }
                    } else {
                        try sync.configureHTTPServerPipeline()
                        try sync.addHandler(StandInHandler(http2: false, handler: handler))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    /// The bound port (0 before `start`).
    var port: Int { channel.withLockedValue { $0?.localAddress?.port } ?? 0 }

    /// Stops listening.
    func stop() async {
        let bound = channel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try? await bound?.close()
    }
}

/// Collects one request, asks the server's handler, writes the answer.
private final class StandInHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let http2: Bool
    private let handler: @Sendable (StandInRequest) -> StandInResponse
    private var head: HTTPRequestHead?
    private var body = Data()

    init(http2: Bool, handler: @escaping @Sendable (StandInRequest) -> StandInResponse) {
        self.http2 = http2
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = Data()
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = StandInRequest(method: head.method.rawValue, path: head.uri, headers: headers, body: body)
            let response = handler(request)
            let keepAlive = head.isKeepAlive
            if let delay = response.delay {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    bound.value.0.write(response, keepAlive: keepAlive, context: bound.value.1)
                }
            } else {
                write(response, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ response: StandInResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers.map { ($0.key, $0.value) })
        headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
        let head = HTTPResponseHead(version: http2 ? .http2 : .http1_1, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !http2, !keepAlive { context.close(promise: nil) }
    }
}
