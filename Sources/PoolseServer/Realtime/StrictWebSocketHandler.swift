import NIOCore
import NIOWebSocket

/// Enforces two rules of RFC 6455 that the WebSocket layer underneath does not, placed between
/// the frame codec and the socket's reader:
///
/// - Every frame from a client must be masked (§5.1). An unmasked one fails the connection: a
///   close frame with 1002 (protocol error), then the TCP connection is closed; the frame is not
///   read.
/// - The close frame that answers a client's close carries the client's code when it is valid,
///   1002 when it is not, 1007 when its reason is not UTF-8 (`CloseReply`). The layer above
///   answers every valid code with 1000; this handler rewrites that answer.
///
/// It also lets only one close frame out per connection (§5.5.1): once the server has sent one,
/// a second (the layer above answering the client's reply) is dropped.
final class StrictWebSocketHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State {
        case open
        /// The client sent a close: the server's answer gets this code.
        case answering(UInt16)
        /// The server sent its close frame; nothing more is read or closed twice.
        case closed
        /// The connection failed (an unmasked frame): nothing more is read.
        case failed
    }

    private var state = State.open

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch state {
        case .failed:
            return
        case .open, .answering, .closed:
            break
        }
        guard frame.maskKey != nil else {
            fail(context)
            return
        }
        if frame.opcode == .connectionClose, case .open = state {
            state = .answering(CloseReply.code(answering: frame.unmaskedData))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        guard frame.opcode == .connectionClose else {
            context.write(data, promise: promise)
            return
        }
        switch state {
        case .open:
            state = .closed
            context.write(data, promise: promise)
        case .answering(let code):
            state = .closed
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.writeInteger(code)
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)), promise: promise)
        case .closed, .failed:
            // One close frame per connection; the writer need not know.
            promise?.succeed()
        }
    }

    /// Sends close 1002 (unless a close already went out) and closes the connection.
    private func fail(_ context: ChannelHandlerContext) {
        let alreadyClosed: Bool
        if case .closed = state { alreadyClosed = true } else { alreadyClosed = false }
        state = .failed
        guard !alreadyClosed else {
            context.close(promise: nil)
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.writeInteger(CloseReply.protocolError)
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
            .whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
