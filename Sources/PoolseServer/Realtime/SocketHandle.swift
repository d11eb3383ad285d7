import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import PoolseWire

/// Identifies one connected socket.
struct SocketID: Hashable, Sendable {
    private let raw = UUID()
}

/// The gateway's handle on one connected socket: whose it is, its connection, what the gateway
/// did to it behind the session's back (kicks), and how to end it. Shared by the gateway, which
/// writes broadcasts, and the socket's own tasks.
///
/// Frames are written straight into the connection's channel on its event loop, in the order
/// they are queued, and a broadcast to many sockets is one event-loop task per loop for all of
/// them (`deliver(_:to:)`): no task per socket wakes up for each event. Frames are shared byte
/// buffers, encoded once per event.
///
/// A reader that cannot keep up shows as a channel that is not writable (its buffers passed the
/// high-water mark); after `queueLimit` more frames in that state the socket is cut.
final class SocketHandle: GatewaySocket {
    let id = SocketID()
    let principal: UserPrincipal
    var userId: String { principal.userId }
    var externalId: String { principal.user.externalId }

    private let channel: any Channel
    private let queueLimit: Int
    private let state: NIOLockedValueBox<State>
    private let gracePeriod: Duration
    private let clock: any GatewayClock

    private struct State {
        var lastHeard: ContinuousClock.Instant
        var kicks: [(topic: String, joinRef: String?)] = []
        /// No more frames are written once the socket is finishing or gone.
        var closed = false
        /// Frames queued while the channel was not writable, since it last was.
        var framesWhileBlocked = 0
    }

    /// - Parameters:
    ///   - queueLimit: frames that may be queued while the channel is not writable; one more and
    ///     the socket is cut.
    ///   - gracePeriod: how long `finish()` lets queued frames drain before cutting.
    ///   - clock: the gateway's clock, for when the client was last heard.
    init(principal: UserPrincipal, channel: any Channel, queueLimit: Int, gracePeriod: Duration,
         clock: any GatewayClock = SystemGatewayClock()) {
        self.principal = principal
        self.channel = channel
        self.queueLimit = max(1, queueLimit)
        state = NIOLockedValueBox(State(lastHeard: clock.now))
        self.gracePeriod = gracePeriod
        self.clock = clock
    }

    /// Queues a frame for this socket. False when the socket cannot keep up and has been cut, so
    /// the caller should forget it.
    @discardableResult
    func enqueue(_ frame: ByteBuffer) -> Bool {
        Self.deliver(frame, to: [self]).isEmpty
    }

    /// Writes `frame` to every socket, one event-loop task per loop. Returns the sockets that
    /// could not keep up (they have been cut).
    static func deliver(_ frame: ByteBuffer, to sockets: [SocketHandle]) -> [SocketHandle] {
        var overflowed: [SocketHandle] = []
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, channels: [any Channel])] = [:]
        for socket in sockets {
            switch socket.admit() {
            case .write:
                let loop = socket.channel.eventLoop
                byLoop[ObjectIdentifier(loop), default: (loop, [])].channels.append(socket.channel)
            case .skip:
                continue
            case .overflow:
                overflowed.append(socket)
                socket.cutNow()
            }
        }
        // The WebSocket frame is built once (header and payload in one buffer) and written below
        // each socket's frame encoder, so no socket encodes a header or sends two buffers.
        let framed = Self.textFrame(frame)
        let data = WebSocketFrame(fin: true, opcode: .text, data: frame)
        for (_, batch) in byLoop {
            let channels = batch.channels
            batch.loop.execute {
                for channel in channels {
                    let pipeline = channel.pipeline.syncOperations
                    if let encoder = try? pipeline.context(handlerType: WebSocketFrameEncoder.self) {
                        encoder.writeAndFlush(NIOAny(framed), promise: nil)
                    } else {
                        pipeline.write(NIOAny(data), promise: nil)
                        pipeline.flush()
                    }
                }
            }
        }
        return overflowed
    }

    /// An unmasked, final text frame around `payload` (RFC 6455 §5.2), as the server sends it.
    static func textFrame(_ payload: ByteBuffer) -> ByteBuffer {
        var framed = ByteBuffer()
        framed.reserveCapacity(payload.readableBytes + 10)
        framed.writeInteger(UInt8(0x81))
        switch payload.readableBytes {
        case ..<126:
            framed.writeInteger(UInt8(payload.readableBytes))
        case ...0xFFFF:
            framed.writeInteger(UInt8(126))
            framed.writeInteger(UInt16(payload.readableBytes))
        default:
            framed.writeInteger(UInt8(127))
            framed.writeInteger(UInt64(payload.readableBytes))
        }
        var body = payload
        framed.writeBuffer(&body)
        return framed
    }

    private enum Admission { case write, skip, overflow }

    private func admit() -> Admission {
        let writable = channel.isWritable
        return state.withLockedValue { state in
            guard !state.closed else { return .skip }
            if writable {
                state.framesWhileBlocked = 0
                return .write
            }
            state.framesWhileBlocked += 1
            return state.framesWhileBlocked > queueLimit ? .overflow : .write
        }
    }

    /// Encodes and queues a frame meant for this socket only.
    @discardableResult
    func send(_ frame: PhoenixFrame) -> Bool {
        guard let bytes = try? frame.byteBuffer() else { return true }
        return enqueue(bytes)
    }

    /// Ends the connection once the frames already queued are written, with a WebSocket close
    /// (1000); cuts it if that takes longer than the grace period (a reader too slow to take even
    /// those).
    func finish() {
        guard closeQueue() else { return }
        let channel = self.channel
        let gracePeriod = TimeAmount.nanoseconds(Int64(gracePeriod.components.seconds) * 1_000_000_000
                                                 + gracePeriod.components.attoseconds / 1_000_000_000)
        channel.eventLoop.execute {
            var code = channel.allocator.buffer(capacity: 2)
            code.writeInteger(UInt16(1000))
            let closing = channel.eventLoop.makePromise(of: Void.self)
            // Writes complete in order, so once the close frame is written every frame before it is.
            channel.pipeline.syncOperations.write(NIOAny(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)),
                                                  promise: closing)
            channel.pipeline.syncOperations.flush()
            closing.futureResult.whenComplete { _ in channel.close(promise: nil) }
            channel.eventLoop.scheduleTask(in: gracePeriod) { channel.close(promise: nil) }
        }
    }

    /// Closes the connection at once.
    func cutNow() {
        closeQueue()
        channel.close(promise: nil)
    }

    /// Stops writing (the socket ended, or is ending). True the first time.
    @discardableResult
    func closeQueue() -> Bool {
        state.withLockedValue { state in
            defer { state.closed = true }
            return !state.closed
        }
    }

    /// The client sent something.
    func heard() {
        let now = clock.now
        state.withLockedValue { $0.lastHeard = now }
    }

    /// When the client last sent something.
    var lastHeard: ContinuousClock.Instant { state.withLockedValue { $0.lastHeard } }

    /// The gateway dropped the socket from `topic` (it already queued `phx_close`).
    func kicked(from topic: String, joinRef: String?) {
        state.withLockedValue { $0.kicks.append((topic, joinRef)) }
    }

    /// Kicks since the last call, oldest first, for the session to forget those topics.
    func takeKicks() -> [(topic: String, joinRef: String?)] {
        state.withLockedValue { state in
            defer { state.kicks.removeAll() }
            return state.kicks
        }
    }
}

extension PhoenixFrame {
    /// The frame's v2 JSON text in a buffer, ready to share between sockets.
    func byteBuffer() throws -> ByteBuffer {
        ByteBuffer(bytes: try encoded())
    }

    /// A server push `[join_ref,null,topic,event,payload]` around a payload that is already JSON
    /// text, without decoding it: the gateway frames every event this way, once for all sockets.
    static func pushBuffer(joinRef: String? = nil, topic: String, event: String, payloadJSON: String) -> ByteBuffer {
        var head: [UInt8] = [UInt8(ascii: "[")]
        if let joinRef { JSONValue.writeString(joinRef, into: &head) } else { head += "null".utf8 }
        head += ",null,".utf8
        JSONValue.writeString(topic, into: &head)
        head.append(UInt8(ascii: ","))
        JSONValue.writeString(event, into: &head)
        head.append(UInt8(ascii: ","))
        var buffer = ByteBuffer()
        buffer.reserveCapacity(head.count + payloadJSON.utf8.count + 1)
        buffer.writeBytes(head)
        buffer.writeString(payloadJSON)
        buffer.writeInteger(UInt8(ascii: "]"))
        return buffer
    }
}
