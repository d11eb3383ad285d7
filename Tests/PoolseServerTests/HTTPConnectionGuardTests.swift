import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import PoolseServer

/// The guard on an `EmbeddedChannel`: the decoder in front of it turns bytes into request
/// parts, the test plays the server behind it, and `advanceTime` is the clock.
@Suite("HTTP connection guard, on a virtual clock")
struct HTTPConnectionGuardTests {
    /// Head 10 s, body 30 s, idle 75 s (the defaults), bodies up to 100 bytes.
    static func rules(overflow: Bool = false) -> HTTPConnectionGuard.Rules {
        var rules = HTTPConnectionGuard.Rules(HTTPConnectionConfiguration(), maxBodyBytes: 100, docBaseURL: "http://test")
        rules.overflow = overflow
        return rules
    }

    func connection(_ rules: HTTPConnectionGuard.Rules = rules()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(HTTPResponseEncoder())
        try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try operations.addHandler(HTTPConnectionGuard(rules: rules, logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
        return channel
    }

    /// The request parts that reached the server.
    func received(_ channel: EmbeddedChannel) throws -> [HTTPServerRequestPart] {
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return parts
    }

    /// What the client got, as text.
    func answer(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) { text += buffer.readString(length: buffer.readableBytes) ?? "" }
        return text
    }

    func respond(_ channel: EmbeddedChannel, status: HTTPResponseStatus = .ok, headers: HTTPHeaders = ["content-length": "0"]) throws {
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    // MARK: - Timers

    @Test func silentConnectionClosesAtTheHeadTimeout() throws {
        let channel = try connection()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(try answer(channel).isEmpty)
    }

    @Test func headDeadlineDoesNotMoveWhileTheHeadTrickles() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "GET /v1/me HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try channel.writeInbound(ByteBuffer(string: "Host: example\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(!channel.isActive)
        #expect(try received(channel).isEmpty)
    }

    @Test func idleTimeoutStartsWhenTheResponseEnds() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: example\r\n\r\n"))
        #expect(try received(channel).count == 2)
        // The server takes its time: that wait is not the client's fault.
        channel.embeddedEventLoop.advanceTime(by: .seconds(300))
        #expect(channel.isActive)
        try respond(channel)
        #expect(try answer(channel).hasPrefix("HTTP/1.1 200"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(74_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func firstBytesOfTheNextRequestSwitchFromIdleToHeadTimeout() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: example\r\n\r\n"))
        try respond(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(70))
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HT"))
        // The idle deadline (75 s) passes; the head's (80 s) has not.
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func bodySilenceCountsOnlyWhileTheServerWantsTheBody() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "POST /v1/x HTTP/1.1\r\nHost: example\r\nContent-Length: 10\r\n\r\nhello"))
        // The handler is busy (rate limit, authentication) and has not asked for the body.
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))
        #expect(channel.isActive)
        channel.read()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        try channel.writeInbound(ByteBuffer(string: "wor"))
        channel.read()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func upgradedConnectionLeavesTheGuardBehind() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "GET /socket/websocket HTTP/1.1\r\nHost: example\r\n\r\n"))
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols)))
        channel.embeddedEventLoop.advanceTime(by: .seconds(3_600))
        #expect(channel.isActive)
        #expect((try? channel.pipeline.syncOperations.handler(type: HTTPConnectionGuard.self)) == nil)
    }

    @Test func shutdownClosesConnectionsWithoutARequestUnderWay() throws {
        let idle = try connection()
        idle.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!idle.isActive)

        let busy = try connection()
        try busy.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: example\r\n\r\n"))
        busy.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(busy.isActive)  // its response is still to be written
    }

    // MARK: - Refusals

    @Test func malformedHeadIsAnsweredWith400AndClosed() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(bytes: Array("GET / HTTP/1.1\r\nX-Bad: a\u{0}b\r\n\r\n".utf8)))
        let text = try answer(channel)
        #expect(text.hasPrefix("HTTP/1.1 400 "))
        #expect(text.lowercased().contains("connection: close"))
        #expect(text.contains("\"code\":\"bad_request\""))
        #expect(try received(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: HTTPConnectionGuard.lingerTime)
        #expect(!channel.isActive)
    }

    @Test func announcedBodyLargerThanAnyRouteTakesIsRefusedUnread() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "POST /v1/x HTTP/1.1\r\nHost: example\r\nContent-Length: 101\r\n\r\n"))
        let text = try answer(channel)
        #expect(text.hasPrefix("HTTP/1.1 413 "))
        #expect(text.contains("\"code\":\"payload_too_large\""))
        #expect(try received(channel).isEmpty)
    }

    @Test func chunkedBodyPastTheLimitIsRefused() throws {
        let channel = try connection()
        let chunk = String(repeating: "a", count: 60)
        try channel.writeInbound(ByteBuffer(string: "POST /v1/x HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\n\(chunk)\r\n"))
        #expect(try answer(channel).isEmpty)
        try channel.writeInbound(ByteBuffer(string: "3c\r\n\(chunk)\r\n"))
        #expect(try answer(channel).hasPrefix("HTTP/1.1 413 "))
    }

    @Test func requestAskingToCloseIsClosedAfterItsResponse() throws {
        let channel = try connection()
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.0\r\n\r\n"))
        #expect(try received(channel).count == 2)
        try respond(channel)
        #expect(try answer(channel).hasPrefix("HTTP/1.1 200"))
        #expect(!channel.isActive)
    }

    @Test func overflowConnectionAnswersOnlyHealthChecks() throws {
        let refused = try connection(Self.rules(overflow: true))
        try refused.writeInbound(ByteBuffer(string: "GET /v1/me HTTP/1.1\r\nHost: example\r\n\r\n"))
        let text = try answer(refused)
        #expect(text.hasPrefix("HTTP/1.1 503 "))
        #expect(text.lowercased().contains("retry-after: 1"))
        #expect(text.contains("\"code\":\"unavailable\""))
        #expect(try received(refused).isEmpty)

        let health = try connection(Self.rules(overflow: true))
        try health.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: example\r\n\r\n"))
        #expect(try received(health).count == 2)
        try respond(health)
        #expect(try answer(health).hasPrefix("HTTP/1.1 200"))
        #expect(!health.isActive)  // one request only, although it asked for keep-alive
    }

    @Test func parserErrorsMapToTheirStatus() {
        #expect(HTTPConnectionGuard.refusal(for: .headerOverflow).status == 431)
        #expect(HTTPConnectionGuard.refusal(for: .headerOverflow).code == "request_head_too_large")
        #expect(HTTPConnectionGuard.refusal(for: .invalidHeaderToken).code == "bad_request")
        #expect(HTTPConnectionGuard.refusal(for: .unexpectedContentLength).status == 400)
    }
}

@Suite("Connection admission")
struct ConnectionAdmissionTests {
    @Test func servesUpToTheCapThenTheReserveThenRefuses() {
        let admission = ConnectionAdmission(maxConnections: 2, overflowReserve: 1, logger: Logger(label: "test"))
        #expect(admission.admit() == .serve)
        #expect(admission.admit() == .serve)
        #expect(admission.admit() == .overflow)
        #expect(admission.admit() == .refuse)
        #expect(admission.openConnections == 3)
        admission.release()
        #expect(admission.admit() == .overflow)
        admission.release()
        admission.release()
        #expect(admission.admit() == .serve)
    }

    @Test func derivedCapLeavesDescriptorsForTheRestOfTheServer() {
        #expect(HTTPConnectionConfiguration.derivedMaxConnections(descriptorLimit: 1_024) == 896)
        #expect(HTTPConnectionConfiguration.derivedMaxConnections(descriptorLimit: 1_048_576) == 10_000)
        #expect(HTTPConnectionConfiguration.derivedMaxConnections(descriptorLimit: 100) == 16)
        #expect(HTTPConnectionConfiguration.derivedMaxConnections(descriptorLimit: nil) == 10_000)
    }
}
