#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long an HTTP connection may keep the server waiting, how large a request head may be,
/// and how many connections are served at once. A connection that breaks a rule is answered
/// (400, 413, 431 or 503 with `Connection: close`) when it can still read an answer, and closed.
///
/// Upgraded WebSockets are not HTTP connections any more: none of the timeouts apply to them
/// (the Phoenix heartbeat rule of `RealtimeConfiguration` does), but they count against
/// `maxConnections`.
public struct HTTPConnectionConfiguration: Sendable {
    /// Longest time from a connection's opening, or from the first byte of a later request, to
    /// the end of the request head (request line and headers). Default 10 s.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// Longest silence while the server is waiting for more of a request body. Time the server
    /// spends not reading (a handler busy before it reads the body) does not count. Default 30 s.
    public var requestBodyTimeout: Duration = .seconds(30)
    /// How long a kept-alive connection may sit between a response and the next request.
    /// Default 75 s: longer than the 60 s idle timeout of common load balancers, so the proxy,
    /// not the server, closes an idle pooled connection and never sends a request into a close.
    public var idleTimeout: Duration = .seconds(75)
    /// Connections served at once, WebSockets included; nil derives it from the process's
    /// descriptor limit (see `effectiveMaxConnections`).
    public var maxConnections: Int?
    /// Connections accepted beyond `maxConnections` to answer exactly one request: `GET /healthz`
    /// is served, anything else gets 503 `unavailable`; then the connection closes. Past this
    /// reserve a connection is closed at once, unanswered. Default 16.
    public var overflowReserve = 16
    /// Most header fields in one request head (431 beyond). Default 100.
    public var maxHeaderCount = 100
    /// Largest request head, request line and header fields together, in bytes (431 beyond).
    /// Default 16 KiB: a JWT or a signed blob URL is well under 1 KiB.
    public var maxHeaderBytes = 16 * 1024

    /// The defaults.
    public init() {}

    /// Most connections served at once: `maxConnections` when set, otherwise the soft
    /// descriptor limit (`ulimit -n`) less 128 (kept for the database, blob files and the
    /// overflow reserve), at most 10,000 and at least 16.
    public var effectiveMaxConnections: Int {
        if let maxConnections { return maxConnections }
        return Self.derivedMaxConnections(descriptorLimit: Self.softDescriptorLimit())
    }

    static func derivedMaxConnections(descriptorLimit: Int?) -> Int {
        guard let descriptorLimit else { return 10_000 }
        return min(10_000, max(16, descriptorLimit - 128))
    }

    private static func softDescriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        // RLIM_INFINITY does not import as a Swift constant; any limit this large is no limit.
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < 1 << 31 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}
