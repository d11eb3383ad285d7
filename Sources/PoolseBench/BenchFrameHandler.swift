import NIOCore
import NIOWebSocket

/// The receiving end of one bench socket, on its event loop: hands each complete text message's
/// bytes to the loop's recorder shard (reassembling fragmented ones), answers pings, and closes
/// when the server closes or the stream breaks.
final class BenchFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The largest message reassembled from fragments, bytes; a longer one closes the socket.
    static let maxMessageSize = 16 << 20

    private enum Fragments {
        case none
        case text(ByteBuffer)
        /// A fragmented binary message: the bench has no use for it, its continuations are skipped.
        case binary
    }

    private let shard: DeliveryRecorder.Shard
    private var fragments = Fragments.none

    init(shard: DeliveryRecorder.Shard) {
        self.shard = shard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin {
                shard.record(frame: frame.unmaskedData)
            } else {
                fragments = .text(frame.unmaskedData)
            }
        case .binary:
            if !frame.fin { fragments = .binary }
        case .continuation:
            continueMessage(frame, context: context)
        case .ping:
            send(.pong, frame.unmaskedData, context: context)
        case .connectionClose:
            // Echo the close code (the first two bytes), then hang up. A close the bench started
            // never gets here: `BenchSocket.close()` closes the connection right after its frame.
            var data = frame.unmaskedData
            send(.connectionClose, data.readSlice(length: min(2, data.readableBytes)) ?? ByteBuffer(), context: context)
            context.close(promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A frame over the size limit or a broken stream: nothing after it can be trusted.
        context.close(promise: nil)
    }

    private func continueMessage(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard case .text(var message) = fragments else {
            if frame.fin { fragments = .none }
            return
        }
        fragments = .none  // so that appending does not copy the buffer
        var more = frame.unmaskedData
        guard message.readableBytes + more.readableBytes <= Self.maxMessageSize else {
            context.close(promise: nil)
            return
        }
        message.writeBuffer(&more)
        if frame.fin {
            shard.record(frame: message)
        } else {
            fragments = .text(message)
        }
    }

    private func send(_ opcode: WebSocketOpcode, _ data: ByteBuffer, context: ChannelHandlerContext) {
        // Client frames must be masked (RFC 6455 §5.3); the encoder applies the key.
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
