/// A problem of the realtime connection or of one channel. The client reports these to
/// ``PoolseConfiguration/onSocketError`` and, for a channel, to its `onError` listeners;
/// it never throws them.
///
/// Connection problems (``Code/connectionFailed``, ``Code/connectionLost``,
/// ``Code/heartbeatTimeout``, ``Code/handshakeRejected``) are followed by an automatic
/// reconnect. Channel problems ``Code/joinRefused`` and ``Code/closedByServer`` are final
/// for that channel: it is not rejoined (call ``PoolseRealtime/conversation(_:)`` again to
/// try once more).
public struct RealtimeError: PoolseError {
    /// What kind of problem this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable name, e.g. `join_refused`.
        public let rawValue: String

        init(_ rawValue: String) { self.rawValue = rawValue }

        /// The socket could not be opened (refused, DNS, TLS, …); a reconnect follows.
        public static let connectionFailed = Code("connection_failed")
        /// The server refused the WebSocket upgrade (HTTP 403 for a bad or expired token);
        /// the cached token is dropped and the reconnect asks `getToken` again.
        public static let handshakeRejected = Code("handshake_rejected")
        /// An open socket closed or failed; a reconnect follows.
        public static let connectionLost = Code("connection_lost")
        /// A heartbeat went unanswered for a whole interval (30 s); the socket is closed and reopened.
        public static let heartbeatTimeout = Code("heartbeat_timeout")
        /// The server answered a channel join with an error (e.g. `unauthorized`: not a member).
        public static let joinRefused = Code("join_refused")
        /// The server closed a joined channel (`phx_close`: removed from the conversation, user blocked).
        public static let closedByServer = Code("closed_by_server")
        /// The channel was left, or the client destroyed, while something waited for it to join.
        public static let channelLeft = Code("channel_left")
        /// The server answered a push (such as `typing`) with an error.
        public static let pushRejected = Code("push_rejected")
        /// A frame or payload that does not decode; it was skipped.
        public static let invalidFrame = Code("invalid_frame")
        /// Listing the messages missed while disconnected failed (after the REST retries);
        /// messages of the gap may be missing from `onMessage`.
        public static let catchUpFailed = Code("catch_up_failed")

        /// The raw value.
        public var description: String { rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// The channel topic (`conversation:<id>`, `user:<id>`), when the problem is a channel's.
    public var topic: String?
    /// The server's reason (`{"reason": …}` of an error reply), when it gave one.
    public var reason: String?
    /// The error underneath: the transport's, a `DecodingError`, a REST error.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(code: Code, topic: String? = nil, reason: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.topic = topic
        self.reason = reason
        self.underlying = underlying
    }

    /// The code, the topic, the reason and the underlying error.
    public var message: String {
        var text = code.rawValue
        if let topic { text += " on \(topic)" }
        if let reason { text += ": \(reason)" }
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
