import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import WSCore

/// `GET /socket/websocket?token=<JWT>&vsn=2.0.0` (PROTOCOL.md §6): who may open a socket, the
/// answer to everyone else, and a driver for each socket that opens.
struct SocketEndpoint: Sendable {
    /// The endpoint's path (the client's socket path `/socket` plus `/websocket`).
    static let path = "/socket/websocket"

    let authenticator: Authenticator
    let gateway: RealtimeGateway
    let store: Store
    let typingLimiter: RateLimiter
    let calls: CallService
    let configuration: RealtimeConfiguration
    let docBaseURL: String
    let logger: Logger

    /// The user a socket request authenticates as; throws why not (a `ServiceError`) otherwise.
    func authenticate(_ uri: URI) async throws -> UserPrincipal {
        guard uri.path == Self.path else { throw ServiceError.notFound("route") }
        let query = uri.queryParameters
        guard let token = query["token"], !token.isEmpty else {
            throw ServiceError.unauthorized("a token query parameter is required")
        }
        let principal = try await authenticator.authenticate(authorization: "Bearer \(token)", as: .userToken)
        guard case .user(let user)? = principal else { throw ServiceError.unauthorized() }
        // Only the v2 serializer is spoken; a client that asks for another would misread every frame.
        if let vsn = query["vsn"], !vsn.hasPrefix("2.") {
            throw ServiceError.badRequest("only the Phoenix serializer vsn 2.0.0 is supported")
        }
        return user
    }

    /// Decides an upgrade: a handler serving the socket, or the refusal to send.
    func upgrade(target: String) async -> RealtimeServerChannel.Decision {
        let principal: UserPrincipal
        do {
            principal = try await authenticate(URI(target))
        } catch {
            let refusal = refusal(for: error)
            logger.info("socket refused", metadata: ["status": .stringConvertible(refusal.status)])
            return .refuse(refusal)
        }
        return .upgrade { inbound, outbound, channel, logger in
            try await serve(principal, inbound: inbound, outbound: outbound, channel: channel, logger: logger)
        }
    }

    /// The router's answer to a socket request without an upgrade: the refusal when the
    /// credentials are refused, 400 otherwise.
    func refuse(_ request: Request) async -> Response {
        do {
            _ = try await authenticate(request.uri)
            return RoutePipeline.render(.error(.badRequest("this endpoint only accepts a WebSocket upgrade"),
                                               docBaseURL: docBaseURL))
        } catch {
            return RoutePipeline.render(refusal(for: error))
        }
    }

    /// 403 when the token is missing, bad or expired or the user is blocked (PROTOCOL.md §6),
    /// with the code that says which; other errors as they are.
    private func refusal(for error: any Error) -> APIResponse {
        guard let error = ServiceError.reporting(error) else { return .error(.internalError, docBaseURL: docBaseURL) }
        let refusal = error.status == 401 ? ServiceError(status: 403, code: error.code, message: error.message) : error
        return .error(refusal, docBaseURL: docBaseURL)
    }

    private func serve(_ principal: UserPrincipal, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                       channel: any Channel, logger: Logger) async throws {
        var logger = logger
        logger[metadataKey: "user_id"] = .string(principal.userId)
        let socket = SocketHandle(principal: principal, channel: channel, queueLimit: configuration.outboundQueueLimit,
                                  gracePeriod: configuration.closeGracePeriod, clock: configuration.clock)
        // Whom the user blocks, read before registering: a change after this read arrives as a
        // `blocks_changed` command once the socket is registered.
        let blocking = (try? await store.read { try await $0.blocks(blocker: principal.userId) }) ?? []
        await gateway.register(socket, blocking: Set(blocking.map(\.userId)))
        // A block committed after the upgrade's check but delivered before the registration would
        // be missed by the gateway; this second look catches it (later blocks reach the gateway).
        let user = try? await store.read { try await $0.user(id: principal.userId, tenantId: principal.tenantId) }
        guard user?.isBlocked == false else {
            await gateway.disconnect(socket)
            return
        }
        let driver = SocketDriver(socket: socket, gateway: gateway, store: store, typingLimiter: typingLimiter,
                                  calls: calls, configuration: configuration, logger: logger)
        try await driver.run(inbound: inbound)
    }
}

extension SocketEndpoint {
    /// HTTP/1.1 that upgrades socket requests this endpoint accepts and hands every other
    /// request, refused upgrades included, to `responder` (the router).
    func childChannel(responder: @escaping HTTPChannelHandler.Responder,
                      http1: HTTP1Channel.Configuration) -> RealtimeServerChannel {
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: configuration.maxFrameSize,
            // Liveness is the Phoenix heartbeat's job (PROTOCOL.md §6); WebSocket pings would be a second clock.
            autoPing: .disabled,
            // A text frame that is not UTF-8 closes the socket with 1007 (RFC 6455 §8.1). Valid
            // text that is not a Phoenix frame is still only dropped (SocketDriver).
            validateUTF8: true)
        return RealtimeServerChannel(responder: responder, http1: http1, webSocket: webSocket,
                                     upgrade: { target in await upgrade(target: target) })
    }
}
