import NIOCore
import PoolseWire

/// What the gateway needs of a connected socket. `SocketHandle` writes to a WebSocket; tests
/// use an in-memory socket that records what it was given.
protocol GatewaySocket: AnyObject, Sendable {
    var id: SocketID { get }
    var userId: String { get }
    var externalId: String { get }
    /// When the client last sent anything (the gateway closes sockets silent for too long).
    var lastHeard: ContinuousClock.Instant { get }

    /// Writes one shared frame to every socket, after the frames written to each before; returns
    /// the sockets that could not keep up (they have been cut). The hot path: one call per event.
    static func deliver(_ frame: ByteBuffer, to sockets: [Self]) -> [Self]
    /// Writes a frame to this socket only.
    @discardableResult
    func send(_ frame: PhoenixFrame) -> Bool
    /// Writes an encoded frame to this socket only.
    @discardableResult
    func enqueue(_ frame: ByteBuffer) -> Bool
    /// The gateway dropped the socket from `topic` (its `phx_close` is already written).
    func kicked(from topic: String, joinRef: String?)
    /// Ends the socket once what is queued is written.
    func finish()
}
