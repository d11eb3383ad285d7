import Observation

/// The realtime socket's status for a banner: the Swift counterpart of `useRealtimeStatus`.
@MainActor @Observable
public final class RealtimeStatusModel {
    private let session: PoolseSession

    /// Follows `session`'s socket.
    public init(session: PoolseSession) { self.session = session }

    /// `idle`, `connecting`, `connected`, `reconnecting` or `closed`, live.
    public var status: RealtimeStatus { session.status }
    /// True while connected.
    public var isConnected: Bool { session.status == .connected }
    /// Sends waiting in the outbox (pending or failed), for an "n messages waiting" hint.
    public var outboxCount: Int { session.outbox.entries.count }

    /// Opens the socket (it also opens by itself when a model needs it).
    public func connect() { session.client.realtime.connect() }
    /// Closes the socket until ``connect()``.
    public func disconnect() { session.client.realtime.disconnect() }
}
