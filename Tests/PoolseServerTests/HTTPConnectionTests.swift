import Foundation
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The connection rules end to end, over raw TCP on a live port: what a misbehaving client sends,
/// the status line and `Connection: close` it gets back, and the server closing.
@Suite("HTTP connections on a live port")
struct HTTPConnectionTests {
    /// Every timeout long, but `short` ones short enough for a test to see them fire. A request
    /// the test needs answered never races a short head timeout on a busy machine.
    static func timeouts(short: Set<String>) -> @Sendable (inout ServerConfiguration) -> Void {
        { configuration in
            longTimeouts(&configuration)
            if short.contains("head") { configuration.http.requestHeadTimeout = .milliseconds(300) }
            if short.contains("body") { configuration.http.requestBodyTimeout = .milliseconds(300) }
            if short.contains("idle") { configuration.http.idleTimeout = .milliseconds(300) }
        }
    }

    /// Timeouts longer than any wait of the test, so a close proves a refusal, not a timer.
    @Sendable static func longTimeouts(_ configuration: inout ServerConfiguration) {
        configuration.http.requestHeadTimeout = .seconds(120)
        configuration.http.requestBodyTimeout = .seconds(120)
        configuration.http.idleTimeout = .seconds(120)
    }

    // MARK: - Timeouts

    @Test func silentConnectionIsClosed() async throws {
        try await ServerFixture.runNode(Self.timeouts(short: ["head"])) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            #expect(try await connection.readToClose().isEmpty)
        }
    }

    @Test func headThatStopsHalfWayIsClosed() async throws {
        try await ServerFixture.runNode(Self.timeouts(short: ["head"])) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: loc")
            #expect(try await connection.readToClose().isEmpty)
        }
    }

    @Test func bodyThatStopsHalfWayIsClosed() async throws {
        try await ServerFixture.runNode(Self.timeouts(short: ["body"])) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send("POST /v1/users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(server.apiKey)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"external_id\"")
            _ = try await connection.readToClose()
            #expect(await connection.isClosed)
        }
    }

    @Test func idleKeptAliveConnectionIsClosedAfterItsResponse() async throws {
        try await ServerFixture.runNode(Self.timeouts(short: ["idle"])) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let text = try await connection.readToClose()
            #expect(text.hasPrefix("HTTP/1.1 200 "))
            #expect(text.hasSuffix("{\"status\":\"ok\"}"))
        }
    }

    @Test func upgradedSocketOutlivesTheHTTPTimeouts() async throws {
        try await ServerFixture.runNode({ configuration in
            configuration.http.requestHeadTimeout = .seconds(1)
            configuration.http.requestBodyTimeout = .milliseconds(300)
            configuration.http.idleTimeout = .milliseconds(300)
        }) { server in
            // The user comes from the admin API, not over HTTP: with 300 ms HTTP timeouts a busy
            // machine can let a REST call's connection expire before its request is written.
            let minted = try await server.app.admin.userToken(tenant: server.tenantId, externalId: "socket-user", ttlSeconds: 600)
            let user = TestUser(id: minted.userId, externalId: "socket-user", token: minted.token)
            let socket = try await server.socket(user)
            // Every HTTP timeout passes with the socket silent; only the heartbeat rule applies to it.
            try await Task.sleep(for: .seconds(2.5))
            try await socket.heartbeat(ref: "1")
            socket.close()
        }
    }

    // MARK: - Refusals

    struct Malformed: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let request: String
        let status: Int

        static let all: [Malformed] = [
            Malformed(testDescription: "NUL byte in a header", request: "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\u{0}b\r\n\r\n", status: 400),
            Malformed(testDescription: "garbage request line", request: "HELLO THERE\r\n\r\n", status: 400),
            Malformed(testDescription: "bad Content-Length", request: "POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12x\r\n\r\n", status: 400),
            Malformed(testDescription: "Content-Length with Transfer-Encoding",
                      request: "POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                      status: 400),
            Malformed(testDescription: "100 KB header",
                      request: "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n", status: 431),
            Malformed(testDescription: "100 KB URL",
                      request: "GET /healthz?q=\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 431),
            Malformed(testDescription: "2,000 headers",
                      request: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + (0..<2_000).map { "X-H\($0): v\r\n" }.joined() + "\r\n",
                      status: 431),
            Malformed(testDescription: "body larger than any route accepts",
                      request: "POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 999999999999\r\n\r\n", status: 413),
        ]
    }

    @Test(arguments: Malformed.all)
    func malformedRequestIsAnsweredAndClosed(_ malformed: Malformed) async throws {
        try await ServerFixture.runNode(Self.longTimeouts) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send(malformed.request)
            let text = try await connection.readToClose()
            #expect(text.hasPrefix("HTTP/1.1 \(malformed.status) "), "\(text.prefix(300))")
            #expect(text.lowercased().contains("\r\nconnection: close\r\n"))
            #expect(text.contains("\"error\":{"))
        }
    }

    @Test func configuredHeadLimitsAreTheOnesHeld() async throws {
        try await ServerFixture.runNode({ configuration in
            Self.longTimeouts(&configuration)
            configuration.http.maxHeaderCount = 5
            configuration.http.maxHeaderBytes = 2_048
        }) { server in
            func send(_ headers: [String]) async throws -> String {
                let connection = try await RawHTTPConnection.open(port: server.port)
                try await connection.send("GET /healthz HTTP/1.1\r\n" + headers.map { "\($0)\r\n" }.joined() + "Connection: close\r\n\r\n")
                return try await connection.readToClose()
            }
            let fourFields = try await send(["Host: localhost", "X-A: 1", "X-B: 2", "X-C: 3"])
            let sixFields = try await send(["Host: localhost", "X-A: 1", "X-B: 2", "X-C: 3", "X-D: 4"])
            let underBytes = try await send(["Host: localhost", "X-Big: \(String(repeating: "a", count: 1_900))"])
            let overBytes = try await send(["Host: localhost", "X-Big: \(String(repeating: "a", count: 2_100))"])
            #expect(fourFields.hasPrefix("HTTP/1.1 200 "))
            #expect(sixFields.hasPrefix("HTTP/1.1 431 "))
            #expect(underBytes.hasPrefix("HTTP/1.1 200 "))
            #expect(overBytes.hasPrefix("HTTP/1.1 431 "))
        }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterItsResponse() async throws {
        try await ServerFixture.runNode(Self.longTimeouts) { server in
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send("GET /healthz HTTP/1.0\r\n\r\n")
            let text = try await connection.readToClose()
            #expect(text.hasPrefix("HTTP/1.1 200 "))
            #expect(text.hasSuffix("{\"status\":\"ok\"}"))
        }
    }

    // MARK: - Connection cap

    @Test func atTheCapHealthIsAnsweredOthersGet503AndPastTheReserveConnectionsAreClosed() async throws {
        try await ServerFixture.runNode({ configuration in
            Self.longTimeouts(&configuration)
            configuration.http.maxConnections = 2
            configuration.http.overflowReserve = 2
        }) { server in
            let connections = server.app.connections
            var served: [RawHTTPConnection] = []
            for _ in 0..<2 {
                let connection = try await RawHTTPConnection.open(port: server.port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                try await connection.waitFor("{\"status\":\"ok\"}")
                served.append(connection)
            }
            let refused = try await RawHTTPConnection.open(port: server.port)
            try await server.eventually { connections.openConnections == 3 }
            let health = try await RawHTTPConnection.open(port: server.port)
            try await server.eventually { connections.openConnections == 4 }

            let beyond = try await RawHTTPConnection.open(port: server.port)
            #expect(try await beyond.readToClose().isEmpty)

            try await refused.send("GET /v1/me HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let refusal = try await refused.readToClose()
            #expect(refusal.hasPrefix("HTTP/1.1 503 "))
            #expect(refusal.lowercased().contains("\r\nconnection: close\r\n"))
            #expect(refusal.contains("\"code\":\"unavailable\""))

            try await health.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let answer = try await health.readToClose()
            #expect(answer.hasPrefix("HTTP/1.1 200 "))

            // The connections within the cap are served as before.
            try await served[0].send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            try await served[0].waitFor("HTTP/1.1 200 OK", occurrences: 2)
            for connection in served + [refused, health, beyond] { await connection.close() }
            try await server.eventually { connections.openConnections == 0 }
        }
    }
}
