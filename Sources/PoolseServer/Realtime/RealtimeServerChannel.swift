import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// HTTP/1.1 with a WebSocket upgrade, built from the same parts as hummingbird-websocket's
/// `HTTP1WebSocketUpgradeChannel`, with one difference that PROTOCOL.md §6 needs: that channel
/// answers every refused upgrade with a bare 400, while here the endpoint writes the refusal
/// itself (403 with the §2 error envelope). NIO does not hand a refused upgrade request on to the
/// HTTP handlers, so the router never sees it.
struct RealtimeServerChannel: ServerChildChannel, HTTPChannelHandler {
    /// Serves one upgraded socket until it ends. The channel lets it cut the connection.
    typealias SocketHandler = @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, any Channel, Logger) async throws -> Void

    /// What to do with an upgrade request.
    enum Decision: Sendable {
        case upgrade(SocketHandler)
        /// Answer with this response and close the connection.
        case refuse(APIResponse)
    }

    /// Decides an upgrade from the request target (`/path?query`).
    typealias Upgrade = @Sendable (_ target: String) async -> Decision

    enum UpgradeResult: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, SocketHandler, Logger)
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, APIResponse)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    private struct Context: WebSocketContext {
        let logger: Logger
    }

    let responder: HTTPChannelHandler.Responder
    let http1: HTTP1Channel.Configuration
    let webSocket: WebSocketServerConfiguration
    let upgrade: Upgrade

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Hands the decision over to the upgrade or the refusal, on this connection only.
            let decided = NIOLockedValueBox<Decision?>(nil)
            let upgrade = self.upgrade
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: webSocket.maxFrameSize,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        let decision = await upgrade(head.uri)
                        decided.withLockedValue { $0 = decision }
                        guard case .upgrade = decision else { return nil }
                        return HTTPHeaders()
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .upgrade(let handler)? = decided.withLockedValue({ $0 }) else {
                            throw NIOWebSocketUpgradeError.unsupportedWebSocketTarget
                        }
                        // Masking and close codes (RFC 6455) before anything reads a frame.
                        try channel.pipeline.syncOperations.addHandler(StrictWebSocketHandler())
                        let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return UpgradeResult.webSocket(asyncChannel, handler, logger)
                    }
                })
            let http1 = self.http1
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let operations = channel.pipeline.syncOperations
                        try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try operations.addHandlers(http1.additionalChannelHandlers())
                        try operations.addHandler(HTTPConnectionStateHandler(
                            idleTimeout: http1.idleTimeout.map { Duration.nanoseconds($0.nanoseconds) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if case .refuse(let response)? = decided.withLockedValue({ $0 }) {
                            return UpgradeResult.refused(http, response)
                        }
                        return UpgradeResult.http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
            configuration.enablePipelining = false  // NIOAsyncChannel pipelines HTTP
            configuration.enableErrorHandling = false  // Hummingbird handles errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes already validates
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let response):
                try await write(response, to: http)
            case .webSocket(let asyncChannel, let handler, let logger):
                let configuration = WebSocketHandler.Configuration(
                    extensions: [], autoPing: webSocket.autoPing, closeTimeout: webSocket.closeTimeout,
                    validateUTF8: webSocket.validateUTF8, maxFrameSize: webSocket.maxFrameSize)
                let channel = asyncChannel.channel
                _ = try await WebSocketHandler.handle(
                    type: .server, configuration: configuration, asyncChannel: asyncChannel,
                    context: Context(logger: logger)
                ) { inbound, outbound, context in
                    try await handler(inbound, outbound, channel, context.logger)
                }
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("connection closed before the request was read")
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
    }

    /// Writes a refusal and closes the connection (the request was consumed by the upgrade attempt).
    private func write(_ response: APIResponse, to http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>) async throws {
        try await http.executeThenClose { _, outbound in
            var headers: HTTPFields = [.connection: "close", .contentLength: String(response.body.count)]
            if let contentType = response.contentType { headers[.contentType] = contentType }
            try await outbound.write(contentsOf: [
                .head(HTTPResponse(status: .init(code: response.status), headerFields: headers)),
                .body(ByteBuffer(bytes: response.body)),
                .end(nil),
            ])
        }
    }
}
