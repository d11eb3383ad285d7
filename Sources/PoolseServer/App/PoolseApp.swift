import Foundation
import Hummingbird
import Logging
import NIOCore
import PoolseWire

/// The server, assembled: storage, services, the REST routes and their pipeline.
/// `poolse serve` runs it; tests start it on a loopback port.
public struct PoolseApp: Sendable {
    public let configuration: ServerConfiguration
    let store: Store
    let keys: SigningKeys
    let pubsub: any PubSub
    /// Publishes committed events and republishes those a crash left behind.
    let relay: EventRelay
    let attachments: AttachmentService
    let listening: ListeningAddress
    let routes: [RouteSpec]
    let pipeline: RoutePipeline
    let logger: Logger
    /// Prometheus metrics of this server.
    public let metrics: ServerMetrics
    let gateway: RealtimeGateway
    let socketEndpoint: SocketEndpoint
    /// Open connections against the connection cap.
    let connections: ConnectionAdmission
    /// Ringing, shared by the socket endpoint and the ring-out sweep.
    let calls: CallService
    /// APNs and FCM, with each tenant's credentials: what the outbound queue sends pushes with
    /// (unless a test chose its own sender), and what the push settings routes update.
    let pushSender: ProviderPushSender
    /// The tenants' before-send hooks, asked before each new message is stored.
    let beforeSend: BeforeSendHook
    /// Webhook deliveries, pushes and bulk deletions (`OutboundService` runs it).
    let outbound: OutboundQueue

    /// Opens the database (creating the data directory), applies migrations and loads the signing keys.
    /// The pub/sub follows the database: in-process for SQLite, `LISTEN/NOTIFY` for PostgreSQL.
    public static func open(_ configuration: ServerConfiguration, logger: Logger? = nil) async throws -> PoolseApp {
        try await open(configuration, logger: logger, pubsub: nil)
    }

    /// `open`, with a pub/sub chosen by the caller (tests share one in-process pub/sub between nodes)
    /// and a push sender (tests record pushes; nil takes the server's own).
    static func open(_ configuration: ServerConfiguration, logger: Logger? = nil,
                     pubsub chosen: (any PubSub)?, pushSender chosenSender: (any PushSender)? = nil) async throws -> PoolseApp {
        var logger = logger ?? Logger(label: "poolse")
        logger.logLevel = configuration.logLevel
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store: Store
        let pubsub: any PubSub
        switch try DatabaseLocation.resolve(configuration) {
        case .sqlite(let path):
            let synchronous = SQLiteStorage.Synchronous.allCases.first {
                $0.rawValue.lowercased() == configuration.sqliteSynchronous.lowercased()
            } ?? .normal
            var sqlLogger = logger
            sqlLogger.logLevel = .warning
            store = Store(storage: try await SQLiteStorage.open(path: path, synchronous: synchronous, logger: sqlLogger))
            pubsub = chosen ?? InProcessPubSub()
        case .postgres(let url):
            var sqlLogger = logger
            sqlLogger.logLevel = .warning
            let storage = try await PostgresStorage.open(url: url, poolSize: configuration.databasePoolSize,
                                                         logger: sqlLogger)
            store = Store(storage: storage)
            pubsub = try chosen ?? PostgresPubSub(storage: storage, url: url, logger: sqlLogger)
        }
        try await store.migrate()
        let secrets = try SharedSecrets(store: store, configuration: configuration)
        let keys = try await secrets.signingKeys(configured: configuration.jwtSecrets)
        let blobs = try await configuration.openBlobStore(secrets)
        return PoolseApp(configuration: configuration, store: store, keys: keys, pubsub: pubsub, blobs: blobs,
                         logger: logger, providers: try ProviderPushSender.make(store: store, configuration: configuration),
                         pushSender: chosenSender, sealer: secrets.sealer)
    }

    init(configuration: ServerConfiguration, store: Store, keys: SigningKeys, pubsub: any PubSub, blobs: any BlobStore,
         logger: Logger, providers: ProviderPushSender, pushSender chosenSender: (any PushSender)? = nil,
         sealer: SecretSealer? = nil) {
        self.configuration = configuration
        self.store = store
        self.keys = keys
        self.pubsub = pubsub
        self.pushSender = providers
        // The queue sends with the providers (nothing goes out for a tenant without one), or with
        // the sender a test chose.
        let pushSender: any PushSender = chosenSender ?? providers
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        let limits = configuration.limits
        let relay = EventRelay(store: store, pubsub: pubsub, logger: logger)
        self.relay = relay
        let outboundSignal = OutboundSignal()
        var committer = ChangeCommitter(store: store, relay: relay)
        committer.enqueuer = OutboundEnqueuer(signal: outboundSignal)
        let users = UserService(store: store, keys: keys, limits: limits, committer: committer)
        let conversations = ConversationService(store: store, limits: limits, committer: committer,
                                                provisionBudget: ProvisionBudget(limit: limits.maxProvisionedPerToken))
        let listening = ListeningAddress()
        self.listening = listening
        attachments = AttachmentService(
            store: store, blobs: blobs, limits: limits, settings: configuration.attachments, committer: committer, logger: logger,
            baseURL: { [configuration] in
                configuration.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
                    ?? listening.baseURL ?? configuration.resolvedPublicURL
            })
        let beforeSend = BeforeSendHook.make(store: store, sealer: providers.settings.sealer, configuration: configuration,
                                             logger: logger)
        self.beforeSend = beforeSend
        let messages = MessageService(store: store, limits: limits, committer: committer, attachments: attachments,
                                      beforeSend: beforeSend)
        routes = OperationalRoutes.specs(store: store, metrics: metrics) + AdminRoutes.specs(users)
            + ConversationRoutes.specs(conversations) + MessageRoutes.specs(messages, limits: limits, metrics: metrics)
            + AttachmentRoutes.specs(attachments)
            + SafetyRoutes.specs(SafetyService(store: store, limits: limits, committer: committer), messages: messages,
                                 limits: limits)
            + PinRoutes.specs(PinService(store: store, limits: limits, committer: committer))
            + SearchRoutes.specs(SearchService(store: store, limits: limits), limits: limits)
            + WebhookRoutes.specs(WebhookService(store: store, committer: committer, configuration: configuration.outbound,
                                                 sealer: sealer), limits: limits)
            + DeviceRoutes.specs(DeviceService(store: store, committer: committer))
            + TenantSettingsRoutes.specs(store: store, committer: committer)
            + CallRoutes.specs(CallCredentials(configuration: configuration.calls, store: store))
            + PushSettingsRoutes.specs(providers) + BeforeSendHookRoutes.specs(beforeSend)
        let calls = CallService(store: store, committer: committer, configuration: configuration.calls)
        self.calls = calls
        let authenticator = Authenticator(store: store, keys: keys)
        pipeline = RoutePipeline(
            authenticator: authenticator, rateLimiter: RateLimiter(limits: configuration.rateLimits),
            idempotency: IdempotencyGuard(store: store), limits: limits, docBaseURL: configuration.resolvedPublicURL,
            metrics: metrics)
        gateway = RealtimeGateway(pubsub: pubsub, configuration: configuration.realtime, metrics: metrics, logger: logger)
        socketEndpoint = SocketEndpoint(
            authenticator: authenticator, gateway: gateway, store: store,
            typingLimiter: RateLimiter(limits: configuration.rateLimits), calls: calls, configuration: configuration.realtime,
            docBaseURL: configuration.resolvedPublicURL, logger: logger)
        connections = ConnectionAdmission(maxConnections: configuration.http.effectiveMaxConnections,
                                          overflowReserve: configuration.http.overflowReserve, logger: logger)
        outbound = OutboundQueue(store: store, configuration: configuration.outbound, pushSender: pushSender,
                                 presence: gateway, sealer: sealer, metrics: metrics, logger: logger,
                                 bulkDeletion: { try await messages.deleteBatch($0) }, nodeId: IDs.make(),
                                 signal: outboundSignal)
    }

    /// The router with every route and the shared middleware.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestLogMiddleware(docBaseURL: configuration.resolvedPublicURL))
        router.add(middleware: MethodNotAllowedMiddleware(routes: declaredRoutes, docBaseURL: configuration.resolvedPublicURL))
        for spec in routes {
            let pipeline = self.pipeline
            router.on(RouterPath(spec.path), method: spec.method) { request, context in
                await pipeline.respond(spec, request: request, context: context)
            }
        }
        if let local = attachments.blobs as? LocalBlobStore {
            BlobRoutes(store: store, local: local, docBaseURL: configuration.resolvedPublicURL).register(on: router)
        }
        // Reached by socket requests that were not upgraded (refused token, plain GET).
        let socketEndpoint = self.socketEndpoint
        router.get(RouterPath(SocketEndpoint.path)) { request, _ in await socketEndpoint.refuse(request) }
        return router
    }

    /// Every route this server serves: the JSON routes, the local store's blob routes, the socket endpoint.
    var declaredRoutes: [DeclaredRoute] {
        routes.map(\.declaration) + (attachments.blobs is LocalBlobStore ? BlobRoutes.declared : [])
            + [DeclaredRoute(method: .get, path: SocketEndpoint.path, errorStatuses: [400, 403, 500])]
    }

    /// The Hummingbird application, REST and the realtime gateway on one port. `onListening`
    /// receives the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: server(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "poolse"),
            services: [IdempotencyPurgeService(guard: pipeline.idempotency, logger: logger), gateway,
                       EventRelayService(relay: relay),
                       AttachmentCleanupService(attachments: attachments, logger: logger),
                       CallSweepService(calls: calls, logger: logger), OutboundService(queue: outbound)]
                + SQLiteMaintenanceService.services(for: store, logger: logger),
            onServerRunning: { [listening] channel in
                listening.record(channel.localAddress)
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
    }

    /// Whether the database has no tenant yet (the first start prints how to create one).
    public func isEmpty() async throws -> Bool { try await !store.read { try await $0.hasAnyTenant() } }

    /// Tenant and key administration for the command line.
    public var admin: Admin { Admin(store: store, keys: keys, configuration: configuration) }

    /// Stops the pub/sub and closes the database.
    public func close() async {
        await pubsub.close()
        await pushSender.shutdown()
        await beforeSend.shutdown()
        await store.close()
    }
}
