import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PoolseWire
@testable import PoolseServer

/// A gateway socket in memory: it records the frames written to it, its kicks and whether it
/// was closed, and is "heard" when the test says so. The seam the gateway is tested at
/// without a network.
final class MemorySocket: GatewaySocket, CustomStringConvertible {
    let id = SocketID()
    let userId: String
    let externalId: String

    private struct State {
        var frames: [String] = []
        var kicks: [String] = []
        var finished = false
        var lastHeard: ContinuousClock.Instant
    }

    private let state: NIOLockedValueBox<State>

    init(userId: String, externalId: String? = nil, heardAt: ContinuousClock.Instant) {
        self.userId = userId
        self.externalId = externalId ?? "ext-\(userId)"
        state = NIOLockedValueBox(State(lastHeard: heardAt))
    }

    var description: String { "socket of \(userId)" }

    var lastHeard: ContinuousClock.Instant { state.withLockedValue { $0.lastHeard } }

    /// The client sent something at `now`.
    func heard(at now: ContinuousClock.Instant) { state.withLockedValue { $0.lastHeard = now } }

    static func deliver(_ frame: ByteBuffer, to sockets: [MemorySocket]) -> [MemorySocket] {
        for socket in sockets { socket.enqueue(frame) }
        return []
    }

    @discardableResult
    func send(_ frame: PhoenixFrame) -> Bool {
        guard let bytes = try? frame.byteBuffer() else { return false }
        return enqueue(bytes)
    }

    @discardableResult
    func enqueue(_ frame: ByteBuffer) -> Bool {
        let text = String(buffer: frame)
        state.withLockedValue { $0.frames.append(text) }
        return true
    }

    func kicked(from topic: String, joinRef: String?) {
        state.withLockedValue { $0.kicks.append(topic) }
    }

    func finish() { state.withLockedValue { $0.finished = true } }

    /// Every frame written so far, decoded, oldest first.
    var frames: [PhoenixFrame] {
        state.withLockedValue { $0.frames }.compactMap { try? PhoenixFrame.decode(Data($0.utf8)) }
    }

    /// The events written so far, oldest first.
    var events: [String] { frames.map(\.event) }

    var kicks: [String] { state.withLockedValue { $0.kicks } }
    var isFinished: Bool { state.withLockedValue { $0.finished } }
}

extension MemorySocket: Equatable {
    static func == (lhs: MemorySocket, rhs: MemorySocket) -> Bool { lhs === rhs }
}
