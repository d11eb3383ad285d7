import Foundation
import Logging

/// Everything `poolse serve` can be told, with the embedded defaults.
public struct ServerConfiguration: Sendable {
    /// Interface to listen on. Default `127.0.0.1`.
    public var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one. Default 4000.
    public var port = 4000
    /// Where the SQLite database and generated secrets live. Created if missing. Default `./data`.
    public var dataDirectory = "data"
    /// `sqlite:///path/to/file.db` (default: `poolse.sqlite3` in the data directory) or
    /// `postgres://user:password@host:5432/database` for several nodes.
    public var databaseURL: String?
    /// Most PostgreSQL connections this node opens. Default 10.
    public var databasePoolSize = 10
    /// `kid:base64secret[,…]`; generated once and kept in the database when nil (`SharedSecrets`).
    public var jwtSecrets: String?
    /// Seals the generated secrets stored in the database (`SharedSecrets`); at least 32
    /// characters, the same on every node. Nil stores them unsealed.
    public var secretsKey: String?
    /// Base URL the server is reached at, used in `doc_url` links. Default `http://host:port`.
    public var publicURL: String?
    /// How SQLite syncs: `normal` (default; survives a process crash) or `full` (also a power loss).
    public var sqliteSynchronous = "normal"
    /// Size, count and length limits.
    public var limits = Limits()
    /// Blob store, URL lifetimes and cleanup of attachments.
    public var attachments = AttachmentConfiguration()
    /// Per-caller rate limits.
    public var rateLimits = RateLimits()
    /// The realtime gateway: heartbeat timeout, frame size, outbound queue, typing timeout.
    public var realtime = RealtimeConfiguration()
    /// HTTP connection timeouts, request-head limits and the connection cap.
    public var http = HTTPConnectionConfiguration()
    /// Calls: ring timeout, ICE/TURN servers and the optional LiveKit SFU.
    public var calls = CallConfiguration()
    /// Push providers: their hosts and the single-tenant APNs/FCM credentials given by flags.
    public var push = PushConfiguration()
    /// Lets webhook and hook URLs reach loopback and private addresses (`--allow-private-webhooks`);
    /// off by default so a tenant can't make the server call into its own network (SSRF). One
    /// setting for webhooks and the before-send hook, kept in `outbound`.
    public var allowPrivateWebhooks: Bool {
        get { outbound.allowPrivateWebhooks }
        set { outbound.allowPrivateWebhooks = newValue }
    }
    /// The outbound queue: webhooks, pushes (see `OutboundConfiguration`).
    public var outbound = OutboundConfiguration()
    /// Log level. Default `info`.
    public var logLevel: Logger.Level = .info

    /// The defaults.
    public init() {}

    var resolvedPublicURL: String { publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// Where the data lives, decided from `databaseURL` and `dataDirectory`.
enum DatabaseLocation: Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    static func resolve(_ configuration: ServerConfiguration) throws -> DatabaseLocation {
        guard let url = configuration.databaseURL, !url.isEmpty else {
            return .sqlite(path: (configuration.dataDirectory as NSString).appendingPathComponent("poolse.sqlite3"))
        }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigError("sqlite:// needs a file path, e.g. sqlite:///var/lib/poolse/db.sqlite3") }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        throw ConfigError("unsupported database URL scheme; use sqlite:///path or postgres://…")
    }
}
