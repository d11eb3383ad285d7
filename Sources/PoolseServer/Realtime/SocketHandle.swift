import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PoolseWire

/// Identifies one connected socket.
struct SocketID: Hashable, Sendable {
    private let raw = UUID()
}

/// The gateway's handle on one connected socket: whose it is, the bounded queue of frames
/// waiting to be written, what the gateway did to it behind the session's back (kicks), and how
/// to end it. Shared by the gateway, which queues broadcasts, and the socket's own tasks.
final class SocketHandle: Sendable {
    let id = SocketID()
    let principal: UserPrincipal
    var userId: String { principal.userId }
    var externalId: String { principal.user.externalId }

    /// The queued frames, in order, for the writer task. Frames are shared byte buffers: a
    /// broadcast is encoded once and the same bytes are queued for every socket of the topic.
    let frames: AsyncStream<ByteBuffer>
    private let queue: AsyncStream<ByteBuffer>.Continuation
    private let state: NIOLockedValueBox<State>
    private let cut: @Sendable () -> Void
    private let gracePeriod: Duration

    private struct State {
        var lastHeard: ContinuousClock.Instant
        var kicks: [(topic: String, joinRef: String?)] = []
    }

    /// - Parameters:
    ///   - queueLimit: frames that may wait; one more and the socket is cut.
    ///   - gracePeriod: how long `finish()` lets queued frames drain before cutting.
    ///   - cut: closes the connection at once, whatever is still queued or being written.
    init(principal: UserPrincipal, queueLimit: Int, gracePeriod: Duration, cut: @escaping @Sendable () -> Void) {
        self.principal = principal
        (frames, queue) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingOldest(max(1, queueLimit)))
        state = NIOLockedValueBox(State(lastHeard: .now))
        self.cut = cut
        self.gracePeriod = gracePeriod
    }

    /// Queues a frame. False when the queue was full: the socket cannot keep up and has been cut,
    /// so the caller should forget it.
    @discardableResult
    func enqueue(_ frame: ByteBuffer) -> Bool {
        switch queue.yield(frame) {
        case .enqueued, .terminated:
            return true
        case .dropped:
            cutNow()
            return false
        @unknown default:
            return true
        }
    }

    /// Encodes and queues a frame meant for this socket only.
    @discardableResult
    func send(_ frame: PhoenixFrame) -> Bool {
        guard let bytes = try? frame.byteBuffer() else { return true }
        return enqueue(bytes)
    }

    /// Ends the connection once the frames already queued are written; cuts it if that takes
    /// longer than the grace period (a reader too slow to take even those).
    func finish() {
        queue.finish()
        let cut = self.cut
        let gracePeriod = self.gracePeriod
        Task {
            try? await Task.sleep(for: gracePeriod)
            cut()
        }
    }

    /// Closes the connection at once.
    func cutNow() {
        queue.finish()
        cut()
    }

    /// Stops the writer when the socket has ended by itself.
    func closeQueue() { queue.finish() }

    /// The client sent something.
    func heard() { state.withLockedValue { $0.lastHeard = .now } }

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

    /// A server push `[null,null,topic,event,payload]` around a payload that is already JSON
    /// text, without decoding it: the gateway frames every event this way, once for all sockets.
    static func pushBuffer(topic: String, event: String, payloadJSON: String) -> ByteBuffer {
        var head: [UInt8] = Array("[null,null,".utf8)
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
