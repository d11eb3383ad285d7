import Foundation

/// Calls: ringing, ICE servers for WebRTC and the optional LiveKit SFU (docs/calls.md).
public struct CallConfiguration: Sendable {
    /// How long a call rings before the server ends it as unanswered. Default 60 s.
    public var ringTimeout: Duration = .seconds(60)
    /// How often each node looks for calls that rang out. Default 2 s.
    public var sweepInterval: Duration = .seconds(2)
    /// Most members one invite rings (all members but the caller); a bigger room gets
    /// `too_many_callees` and should use its voice room. Default 32.
    public var maxCallees = 32
    /// Voice-room pushes (`voice:*`) one socket may send: default 50/s, bursts of 200 (a mesh
    /// trickles ICE candidates in bursts). Over it a push is refused with `rate_limited`.
    public var voicePushRate = Rate(perSecond: 50, burst: 200)
    /// STUN URLs handed to clients (`stun:host:3478`). Default none.
    public var stunURLs: [String] = []
    /// TURN URLs (`turn:host:3478?transport=udp`, `turns:…`), given credentials from `turnSecret`.
    public var turnURLs: [String] = []
    /// coturn's `static-auth-secret` (`use-auth-secret` mode); TURN is only offered with one.
    public var turnSecret: String?
    /// How long TURN credentials (and the `ttl_seconds` answer) last. Default 24 h.
    public var turnTTL: Duration = .seconds(86_400)
    /// LiveKit: `wss://…` URL, API key and secret. Without all three, `call-token` answers 503.
    public var liveKitURL: String?
    public var liveKitAPIKey: String?
    public var liveKitAPISecret: String?
    /// How long a LiveKit token is valid. Default 6 h.
    public var liveKitTokenTTL: Duration = .seconds(21_600)
    /// The calls' clock, in microseconds since 1970 (tests move it by hand). Default: the wall clock.
    public var now: @Sendable () -> Int64 = { WallClock.nowMicros() }

    /// The defaults.
    public init() {}

    /// Whether an SFU is configured.
    var liveKit: (url: String, apiKey: String, apiSecret: String)? {
        guard let url = liveKitURL, !url.isEmpty, let key = liveKitAPIKey, !key.isEmpty,
              let secret = liveKitAPISecret, !secret.isEmpty else { return nil }
        return (url, key, secret)
    }
}
