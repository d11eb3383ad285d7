/// How the outbound queue runs. The defaults suit production; tests shorten the times.
public struct OutboundConfiguration: Sendable {
    /// How often an idle worker looks for due jobs written by other nodes or due for a retry
    /// (jobs committed on this node wake it at once). Default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// How long a claimed job is a node's before anyone may take it again (a node that died
    /// holds its jobs this long). Longer than any one attempt takes. Default 60 s.
    public var leaseDuration: Duration = .seconds(60)
    /// Jobs one node runs at once; 0 runs no outbound worker on this node (others do the work). Default 32.
    public var concurrency = 32
    /// Jobs of one webhook endpoint (or one tenant's bulk deletions) leased at once. Default 4.
    public var perDestinationConcurrency = 4
    /// Pushes to one tenant's provider of one platform leased at once (APNs and FCM take many
    /// requests in parallel). Default 32.
    public var pushPerDestinationConcurrency = 32
    /// The first retry's delay (before jitter); each further retry doubles it. Default 5 s.
    public var retryBaseDelay: Duration = .seconds(5)
    /// The longest delay between two attempts. Default 1 h.
    public var retryMaxDelay: Duration = .seconds(3600)
    /// How long a webhook delivery is retried before it is marked failed. Default 24 h.
    public var webhookRetryWindow: Duration = .seconds(24 * 3600)
    /// How long a push is retried before it is dropped (a late notification is noise). Default 1 h.
    public var pushRetryWindow: Duration = .seconds(3600)
    /// The timeout of one webhook POST, connecting included. Default 10 s.
    public var webhookTimeout: Duration = .seconds(10)
    /// Whether webhook URLs may point at loopback, private and link-local addresses (SSRF guard off). Default false.
    public var allowPrivateWebhooks = false
    /// Webhook endpoints per tenant. Default 20.
    public var maxWebhooksPerTenant = 20
    /// At most one push per device and conversation in this window; later messages of the window
    /// replace the waiting push (see docs/outbound.md). Default 30 s.
    public var pushCollapseWindow: Duration = .seconds(30)
    /// How often the depth gauges are refreshed and old history is purged. Default 15 s.
    public var housekeepingInterval: Duration = .seconds(15)
    /// How long finished jobs (the delivery history) are kept. Default 7 days.
    public var historyRetention: Duration = .seconds(7 * 24 * 3600)

    /// The defaults.
    public init() {}
}

extension Duration {
    /// The duration in microseconds (the unit of stored times).
    var micros: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
