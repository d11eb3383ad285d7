/// Settings of the realtime gateway (PROTOCOL.md §6), with their defaults.
public struct RealtimeConfiguration: Sendable {
    /// A socket the server has heard nothing from (no frame at all) for this long is closed.
    /// Default 60 s; clients send a heartbeat every 30 s.
    public var heartbeatTimeout: Duration = .seconds(60)
    /// Largest WebSocket frame, and largest message reassembled from fragments, a client may send,
    /// in bytes. Default 64 KiB. Client pushes are small (joins, heartbeats, typing); a larger
    /// frame closes that socket with code 1009. Server pushes are not limited by it.
    public var maxFrameSize = 64 * 1024
    /// Frames that may be queued for one socket once its write buffer is past NIO's high-water
    /// mark (64 KiB): one more and the socket cannot keep up and is disconnected, so a slow
    /// reader never holds more than this. Default 1,024 frames (frames are shared between the
    /// sockets of a topic, so this is mostly references).
    public var outboundQueueLimit = 1_024
    /// Peers get `typing:stop` this long after the last `typing`. Default 5 s.
    public var typingTimeout: Duration = .seconds(5)
    /// How long a server-initiated close may take to flush its last frames before the
    /// connection is cut. Default 10 s.
    public var closeGracePeriod: Duration = .seconds(10)
    /// How often a node announces its sockets' presence to the other nodes. Default 5 s.
    public var presenceHeartbeat: Duration = .seconds(5)
    /// Presence of a node not heard from for this long is dropped (the node died). Default 15 s.
    public var presenceTimeout: Duration = .seconds(15)

    /// Joins one socket may make: bursts of 100, then 10 a second. A join over it is answered
    /// with an error (`"reason": "rate_limited"`) and changes nothing. The burst covers a client
    /// rejoining `maxTopicsPerSocket` topics at once after a reconnect.
    public var joinRate = Rate(perSecond: 10, burst: 100)
    /// Topics one socket may have joined at once. Default 100; one more join is answered with an
    /// error (`"reason": "too_many_topics"`). Leave one first.
    public var maxTopicsPerSocket = 100

    /// The time the gateway runs on (tests move a clock of their own).
    var clock: any GatewayClock = SystemGatewayClock()

    /// The defaults.
    public init() {}
}
