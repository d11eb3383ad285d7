/// Where the realtime socket is (``PoolseRealtime/getStatus()``).
///
/// ```
/// idle ──connect──▶ connecting ──open──▶ connected ──drop──▶ reconnecting ──open──▶ connected
///                        └──────fail────────────────────────▶ reconnecting
/// any ──disconnect() / destroy()──▶ closed ──connect()──▶ connecting
/// ```
public enum RealtimeStatus: String, Sendable, Hashable, CustomStringConvertible {
    /// Nothing asked for the socket yet: it opens on the first ``PoolseRealtime/connect()``,
    /// ``PoolseRealtime/conversation(_:)`` or ``PoolseRealtime/user(_:)`` call.
    case idle
    /// The first connection is being opened.
    case connecting
    /// The socket is open; channels are joined or joining.
    case connected
    /// The socket dropped (or could not open) and the client is reconnecting with backoff.
    case reconnecting
    /// Closed on purpose by ``PoolseRealtime/disconnect()`` or ``Poolse/destroy()``; nothing
    /// reconnects until ``PoolseRealtime/connect()``.
    case closed

    /// The raw value: `idle`, `connecting`, `connected`, `reconnecting`, `closed`.
    public var description: String { rawValue }
}
