import Foundation

/// Everything a ``Poolse`` client needs. Every field but ``getToken`` has a default.
///
/// ```swift
/// let chat = Poolse(PoolseConfiguration(apiURL: URL(string: "https://chat.example.com")!) {
///     try await myBackend.chatToken()   // the end-user JWT, or nil for anonymous
/// })
/// ```
public struct PoolseConfiguration: Sendable {
    /// `https://api.poolse.dev`, the hosted backend.
    public static let defaultAPIURL: URL = {
        guard let url = URL(string: "https://api.poolse.dev") else {
            preconditionFailure("the default API URL literal is a valid URL")
        }
        return url
    }()

    /// `/socket`, the Phoenix Channels mount point.
    public static let defaultSocketPath = "/socket"

    /// Returns the end-user JWT, or nil to send a request without `Authorization`.
    /// The SDK caches the result (see the token cache in `docs/sdk.md`), so this runs
    /// about once per token lifetime. Errors it throws reach the caller unchanged.
    public var getToken: @Sendable () async throws -> String?

    /// The server's base URL without `/v1` (default ``defaultAPIURL``). Trailing slashes
    /// are removed, also when you assign it.
    public var apiURL: URL {
        didSet { apiURL = Self.trimmingTrailingSlashes(apiURL) }
    }

    /// The WebSocket origin for the realtime gateway (default: ``apiURL`` with `http`
    /// turned into `ws` and `https` into `wss`). Set it for deployments where the
    /// gateway lives on another host; trailing slashes are removed.
    public var wsURL: URL {
        get { wsURLOverride ?? Self.webSocketURL(for: apiURL) }
        set { wsURLOverride = Self.trimmingTrailingSlashes(newValue) }
    }

    /// The Phoenix Channels mount point on ``wsURL`` (default `/socket`); the realtime
    /// client appends `/websocket`.
    public var socketPath: String

    /// Sends the HTTP requests (default ``URLSessionTransport`` over `URLSession.shared`).
    public var transport: any HTTPTransport

    /// Opens the realtime WebSocket (default: ``URLSessionWebSocketTransport`` on Apple
    /// platforms, ``NIOWebSocketTransport`` on Linux); inject your own in tests.
    public var webSocketTransport: any WebSocketTransport

    /// Retries of one logical call after its first attempt for transient failures
    /// (network errors, 5xx, 429); default 3, so at most 4 attempts. Negative means 0.
    public var maxRetries: Int

    /// The base of the exponential backoff between retries (default 250 ms).
    public var baseBackoff: Duration

    /// The ceiling of a single retry delay (default 30 s). A 429 whose `Retry-After`
    /// asks for longer is not retried: it surfaces as ``RateLimitedError`` at once.
    public var maxBackoff: Duration

    /// Makes `Idempotency-Key` values (default: a random lowercase UUID).
    public var generateIdempotencyKey: @Sendable () -> String

    /// Called with realtime problems (a ``RealtimeError``), for example to show a
    /// banner. The client reconnects by itself; this is for telling the user.
    public var onSocketError: (@Sendable (any Error) -> Void)?

    /// Maps one of your users' external ids to the profile your app shows for them;
    /// ``Poolse/users`` caches the answers. Nil (the default) means no profiles.
    public var userResolver: (@Sendable (_ externalId: String) async throws -> PoolseUserProfile?)?

    // Time and randomness behind retries and the token cache. Internal so tests can
    // replace them and run every schedule instantly and deterministically.

    /// Waits between retries; throws `CancellationError` when the task is cancelled.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// A uniform random number in `0...1`, the jitter of the backoff.
    var random: @Sendable () -> Double = { Double.random(in: 0...1) }
    /// The current time, for token expiry.
    var now: @Sendable () -> Date = { Date() }
    /// Waits for the realtime timers (heartbeat, reconnect, join timeout); throws
    /// `CancellationError` when the timer is cancelled.
    var realtimeSleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    private var wsURLOverride: URL?

    /// Creates a configuration; every argument but `getToken` has the default documented
    /// on its property.
    public init(
        apiURL: URL = PoolseConfiguration.defaultAPIURL,
        wsURL: URL? = nil,
        socketPath: String = PoolseConfiguration.defaultSocketPath,
        transport: any HTTPTransport = URLSessionTransport(),
        webSocketTransport: (any WebSocketTransport)? = nil,
        maxRetries: Int = 3,
        baseBackoff: Duration = .milliseconds(250),
        maxBackoff: Duration = .seconds(30),
        generateIdempotencyKey: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
        onSocketError: (@Sendable (any Error) -> Void)? = nil,
        userResolver: (@Sendable (_ externalId: String) async throws -> PoolseUserProfile?)? = nil,
        getToken: @escaping @Sendable () async throws -> String?
    ) {
        self.apiURL = Self.trimmingTrailingSlashes(apiURL)
        self.wsURLOverride = wsURL.map(Self.trimmingTrailingSlashes)
        self.socketPath = socketPath
        self.transport = transport
        self.webSocketTransport = webSocketTransport ?? defaultWebSocketTransport()
        self.maxRetries = maxRetries
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.generateIdempotencyKey = generateIdempotencyKey
        self.onSocketError = onSocketError
        self.userResolver = userResolver
        self.getToken = getToken
    }

    static func trimmingTrailingSlashes(_ url: URL) -> URL {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text) ?? url
    }

    static func webSocketURL(for apiURL: URL) -> URL {
        guard var components = URLComponents(url: apiURL, resolvingAgainstBaseURL: false) else { return apiURL }
        switch components.scheme?.lowercased() {
        case "http": components.scheme = "ws"
        case "https": components.scheme = "wss"
        default: break
        }
        return components.url ?? apiURL
    }
}
