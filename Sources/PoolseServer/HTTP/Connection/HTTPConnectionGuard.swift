import Logging
import NIOCore
import NIOHTTP1

/// Keeps one HTTP/1 connection within its rules. It sits right after NIO's request decoder, so it
/// sees the decoded request parts, the responses on their way out, and the decoder's errors:
///
/// - timers: the request head must be complete `requestHeadTimeout` after the connection opens
///   or the next request's first bytes arrive; a body may not stall longer than
///   `requestBodyTimeout` while the server waits for it; a kept-alive connection may sit idle for
///   `idleTimeout`. Any of them closes the connection (no answer: a client that stalled, or sent
///   nothing at all, is not reading one).
/// - a head the decoder refuses gets 400 `bad_request`, or 431 `request_head_too_large` when it
///   has too many or too large fields, and a body announced larger than any route accepts gets
///   413 `payload_too_large`; each with `Connection: close`, then the connection is closed.
/// - a request that asks to close (HTTP/1.0 without keep-alive, `Connection: close`) is closed
///   once its response is written.
/// - on a connection admitted into the overflow reserve (the server is at its connection cap),
///   `GET /healthz` is served and anything else gets 503 `unavailable`; either way, only once.
///
/// Once the connection is upgraded to a WebSocket (a 101 goes out) the guard leaves the pipeline:
/// a socket's liveness is the Phoenix heartbeat's business.
///
/// Timers are scheduled on the channel's event loop, so `EmbeddedChannel.advanceTime` drives them
/// in tests.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the guard enforces on one connection.
    struct Rules: Sendable {
        var requestHeadTimeout: TimeAmount
        var requestBodyTimeout: TimeAmount
        var idleTimeout: TimeAmount
        /// Largest body any route accepts; a larger one is refused before it is read.
        var maxBodyBytes: Int64
        /// Base of the `doc_url` of the error envelopes.
        var docBaseURL: String
        /// The connection was admitted into the overflow reserve: health checks only, one request.
        var overflow = false

        init(_ configuration: HTTPConnectionConfiguration, maxBodyBytes: Int64, docBaseURL: String) {
            requestHeadTimeout = TimeAmount(configuration.requestHeadTimeout)
            requestBodyTimeout = TimeAmount(configuration.requestBodyTimeout)
            idleTimeout = TimeAmount(configuration.idleTimeout)
            self.maxBodyBytes = maxBodyBytes
            self.docBaseURL = docBaseURL
        }
    }

    /// The only path served on an overflow connection.
    static let healthPath = "/healthz"

    /// Where the incoming side of the connection is.
    private enum Reading: Equatable {
        /// Waiting for the first byte of the next request.
        case betweenRequests
        /// Bytes of a request head arrived (or the connection just opened); the head is not complete.
        case head
        /// The head was passed on; its body is arriving. `received` counts the body bytes.
        case body(received: Int64)
    }

    private enum Timer: Equatable {
        case head, body, idle, linger
    }

    /// How long a refused connection keeps reading and dropping what the client still sends.
    static let lingerTime = TimeAmount.seconds(2)

    private let rules: Rules
    private let logger: Logger
    private var reading = Reading.head
    /// Whether the connection was seen active (the head timer of a fresh connection started).
    private var started = false
    /// Keep-alive of each request passed on whose response has not ended, oldest first.
    private var awaitingResponse: [Bool] = []
    /// A response head went out and its end did not yet.
    private var responseInProgress = false
    /// The current response carries `Connection: close`.
    private var responseCloses = false
    /// The server asked for more bytes while a body is incomplete: its silence is now the client's.
    private var bodyWanted = false
    /// This read ended a request (its leftover bytes, if any, cannot be told apart from none).
    private var endedRequestThisRead = false
    /// The guard answered or closed; everything else on the connection is dropped.
    private var finished = false
    /// A 101 went out: the guard only passes things through, and leaves once it is written.
    private var upgraded = false
    private var timer: (kind: Timer, task: Scheduled<Void>)?

    init(rules: Rules, logger: Logger) {
        self.rules = rules
        self.logger = logger
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finished = true
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        updateTimer(context)
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else {
            context.fireChannelRead(data)  // WebSocket bytes, until the guard is gone
            return
        }
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let refusal = refusal(for: head) {
                reject(context, refusal)
                return
            }
            reading = .body(received: 0)
            bodyWanted = false
            awaitingResponse.append(head.isKeepAlive && !rules.overflow)
        case .body(let chunk):
            guard case .body(let received) = reading else { break }
            let total = received + Int64(chunk.readableBytes)
            guard total <= rules.maxBodyBytes else {
                reject(context, .payloadTooLarge(limit: Int(clamping: rules.maxBodyBytes)))
                return
            }
            reading = .body(received: total)
            bodyWanted = false
        case .end:
            reading = .betweenRequests
            bodyWanted = false
            endedRequestThisRead = true
        }
        updateTimer(context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes that produced no request part while between requests are the next request's head.
        if !finished, !upgraded, reading == .betweenRequests, !endedRequestThisRead {
            reading = .head
            updateTimer(context)
        }
        endedRequestThisRead = false
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !upgraded else {
            context.fireErrorCaught(error)
            return
        }
        // Once the guard answered or closed, the decoder's complaints about what still arrives are moot.
        guard !finished else { return }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        logger.debug("malformed request refused", metadata: ["error": "\(parserError)"])
        reject(context, Self.refusal(for: parserError))
    }

    /// Why a request head is refused before anyone else sees it, if it is.
    private func refusal(for head: HTTPRequestHead) -> ServiceError? {
        if rules.overflow, head.method != .GET || head.uri.split(separator: "?").first != Self.healthPath[...] {
            return ServiceError(status: 503, code: "unavailable",
                                message: "the server is at its connection limit; retry shortly", retryAfterSeconds: 1)
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int64.init), length > rules.maxBodyBytes {
            return .payloadTooLarge(limit: Int(clamping: rules.maxBodyBytes))
        }
        return nil
    }

    static func refusal(for error: HTTPParserError) -> ServiceError {
        switch error {
        case .headerOverflow:
            ServiceError(status: 431, code: "request_head_too_large",
                         message: "the request line and headers are too large or too many")
        case .unexpectedContentLength:
            .badRequest("a request may not carry both Content-Length and Transfer-Encoding")
        case .invalidContentLength:
            .badRequest("the Content-Length header is not a valid length")
        default:
            .badRequest("the request is not valid HTTP/1.1")
        }
    }

    // MARK: - Outbound

    func read(context: ChannelHandlerContext) {
        if !upgraded, case .body = reading, !bodyWanted {
            bodyWanted = true
            updateTimer(context)
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !upgraded else {
            context.write(data, promise: promise)
            return
        }
        guard !finished else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            // The WebSocket upgrade: nothing here applies to the socket that follows. The guard
            // passes everything through until the 101 is written, then leaves.
            upgraded = true
            cancelTimer()
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
            context.write(data, promise: written)
        case .head(let head) where head.status.code < 200:
            context.write(data, promise: promise)  // 100 Continue: the final response is still to come
        case .head(let head):
            responseInProgress = true
            responseCloses = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responseInProgress = false
            let keepAlive = awaitingResponse.isEmpty ? false : awaitingResponse.removeFirst()
            guard keepAlive, !responseCloses else {
                finished = true
                cancelTimer()
                let written = promise ?? context.eventLoop.makePromise()
                context.writeAndFlush(data, promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            context.write(data, promise: promise)
            updateTimer(context)
        }
    }

    // MARK: - Refusals

    /// Answers with `error` and `Connection: close` when no other response is under way (the
    /// answer would otherwise land inside or before it), then closes.
    private func reject(_ context: ChannelHandlerContext, _ error: ServiceError) {
        finished = true
        cancelTimer()
        // At most the refused request itself may be waiting for its response.
        guard !responseInProgress, awaitingResponse.count <= (reading == .head || reading == .betweenRequests ? 0 : 1)
        else {
            context.close(promise: nil)
            return
        }
        let response = APIResponse.error(error, docBaseURL: rules.docBaseURL)
        var headers = HTTPHeaders()
        if let contentType = response.contentType { headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in response.extraHeaders { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: error.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { [self] _ in closeLingering(context) }
    }

    /// Closing at once while the client is still sending (the rest of a huge head, a body) would
    /// reset the connection, and the client could lose the answer before reading it. So the
    /// output is shut, what still arrives is read and dropped, and the connection closes when
    /// the client closes its side or after `lingerTime`, whichever comes first.
    private func closeLingering(_ context: ChannelHandlerContext) {
        let outputClosed = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: outputClosed)
        outputClosed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        let linger = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTime) { context.close(promise: nil) }
        timer = (.linger, linger)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if finished, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        // A graceful shutdown need not wait for a connection that has no request under way.
        // (A body being read belongs to a request still awaiting its response.)
        if event is ChannelShouldQuiesceEvent, !finished, !upgraded, awaitingResponse.isEmpty {
            finished = true
            cancelTimer()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: - Timers

    /// The timer the connection's state calls for: the head's while a head is incomplete and
    /// nothing else is pending, the body's while the server waits for body bytes, the idle one
    /// between requests. None while a response is being prepared: that wait is the server's.
    private var wantedTimer: Timer? {
        guard !finished else { return nil }
        switch reading {
        case .head: return awaitingResponse.isEmpty ? .head : nil
        case .body: return bodyWanted ? .body : nil
        case .betweenRequests: return awaitingResponse.isEmpty ? .idle : nil
        }
    }

    /// Starts the wanted timer unless it already runs (a head's deadline does not move as more
    /// of it arrives), and stops any other.
    private func updateTimer(_ context: ChannelHandlerContext) {
        guard started, !finished, !upgraded else { return }  // a finished connection keeps only its linger timer
        let wanted = wantedTimer
        guard timer?.kind != wanted else { return }
        cancelTimer()
        guard let wanted else { return }
        let delay = switch wanted {
        case .head: rules.requestHeadTimeout
        case .body: rules.requestBodyTimeout
        case .idle: rules.idleTimeout
        case .linger: Self.lingerTime
        }
        let task = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            timer = nil
            finished = true
            logger.debug("connection timed out", metadata: ["waiting_for": "\(wanted)"])
            context.close(promise: nil)
        }
        timer = (wanted, task)
    }

    private func cancelTimer() {
        timer?.task.cancel()
        timer = nil
    }
}
