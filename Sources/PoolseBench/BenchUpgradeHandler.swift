import NIOCore
import NIOHTTP1

/// Sends the WebSocket upgrade request once the connection is up and fails `upgraded` if the
/// server answers anything but `101` (a bad token gets `403`), sends an error, or hangs up first.
/// `NIOHTTPClientUpgradeHandler` adds the upgrade headers and carries out a `101`; it removes this
/// handler just before the WebSocket handlers take over the pipeline (see `BenchSocket.connect`).
final class BenchUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let target: String
    private let upgraded: EventLoopPromise<Void>

    /// - Parameters:
    ///   - host: the `Host` header (`host:port`).
    ///   - target: the request target (`/socket/websocket?…`).
    init(host: String, target: String, upgraded: EventLoopPromise<Void>) {
        self.host = host
        self.target = target
        self.upgraded = upgraded
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers))),
                      promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    /// Only a refusal reaches this handler: a `101` is consumed by the upgrade handler.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let response) = unwrapInboundIn(data) else { return }
        fail(context, BenchSocket.Failure(description: "upgrade refused: \(response.status.code) \(response.status.reasonPhrase)"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        upgraded.fail(BenchSocket.Failure(description: "connection closed before the upgrade"))
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        upgraded.fail(error)
        context.close(promise: nil)
    }
}
