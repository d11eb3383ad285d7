import Foundation
import HTTPTypes
import HummingbirdTesting
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// The socket endpoint and the Phoenix protocol over real sockets on a loopback port.
@Suite struct RealtimeGatewayTests {
    /// A socket request as a browser sends it, over plain HTTP, to read the refusal.
    func upgradeStatus(_ server: ServerNode, query: String) async throws -> (Int, JSONValue) {
        var headers = HTTPFields()
        headers[.upgrade] = "websocket"
        headers[.connection] = "Upgrade"
        headers[.secWebSocketKey] = "dGhlIHNhbXBsZSBub25jZQ=="
        headers[.secWebSocketVersion] = "13"
        let request = TestClient.Request("/socket/websocket?\(query)", method: .get, headers: headers)
        let response = try await TestClient.withClient(host: "127.0.0.1", port: server.port) {
            try await $0.execute(request)
        }
        let data = response.body.map { Data(buffer: $0) } ?? Data()
        return (Int(response.status.code), data.isEmpty ? .null : try WireCoding.decoder.decode(JSONValue.self, from: data))
    }

    @Test func upgradesForAValidTokenAndAnswers403Otherwise() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let socket = try await server.socket(ann)
            try await socket.heartbeat(ref: "1")
            socket.close()

            let tenantId = try await server.ok(.get, "/v1/users/\(ann.id)", token: nil).memberString("tenant_id")
            let now = Int64(Date().timeIntervalSince1970)
            let expired = try JWT.sign(JWTClaims(sub: ann.id, tid: tenantId, ext: "ann", iat: now - 100, exp: now - 10,
                                                 jti: IDs.make()), keys: server.app.keys)
            let bob = try await server.user("bob")
            try await server.ok(.patch, "/v1/users/\(bob.id)", token: nil, body: ["is_blocked": true])
            let refusals: [(query: String, code: String)] = [
                ("vsn=2.0.0", "unauthorized"),
                ("token=&vsn=2.0.0", "unauthorized"),
                ("token=not.a.jwt&vsn=2.0.0", "invalid_token"),
                ("token=\(ann.token.dropLast(2))xx&vsn=2.0.0", "invalid_token"),
                ("token=\(expired)&vsn=2.0.0", "token_expired"),
                ("token=\(bob.token)&vsn=2.0.0", "user_blocked"),
                ("token=\(server.apiKey)&vsn=2.0.0", "unauthorized"),
            ]
            for refusal in refusals {
                let (status, body) = try await upgradeStatus(server, query: refusal.query)
                #expect(status == 403, "\(refusal.query)")
                #expect(body.member("error").member("code") == .string(refusal.code), "\(refusal.query)")
                let connected = await server.canConnect(query: refusal.query)
                #expect(!connected, "\(refusal.query)")
            }
            // A valid token without an upgrade is a plain bad request.
            let plain = try await TestClient.withClient(host: "127.0.0.1", port: server.port) {
                try await $0.get("/socket/websocket?token=\(ann.token)&vsn=2.0.0")
            }
            #expect(plain.status.code == 400)
        }
    }

    @Test func conversationTopicsAreForMembersAndUserTopicsForTheirOwner() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob"), eve = try await server.user("eve")
            let room = try await server.conversation(owner: ann, members: [bob])
            let socket = try await server.socket(eve)
            let refused = ["conversation:\(room)", "user:\(ann.id)", "conversation:\(IDs.make())"]
            for (index, topic) in refused.enumerated() {
                let reply = try await socket.join(topic, joinRef: "\(index + 1)")
                #expect(reply.payload == ["status": "error", "response": ["reason": "unauthorized"]], "\(topic)")
                #expect(reply.joinRef == .string("\(index + 1)"))
            }
            let unmatched = try await socket.join("room:lobby", joinRef: "9")
            #expect(unmatched.payload == ["status": "error", "response": ["reason": "unmatched topic"]])
            let own = try await socket.join("user:\(eve.id)", joinRef: "10")
            #expect(own.payload == ["status": "ok", "response": [:]])
            #expect(own.topic == "user:\(eve.id)")

            let member = try await server.socket(bob)
            let joined = try await member.join("conversation:\(room)", joinRef: "1")
            #expect(joined.payload == ["status": "ok", "response": [:]])
            #expect(joined.joinRef == "1" && joined.ref == "1" && joined.topic == "conversation:\(room)")
        }
    }

    @Test func heartbeatsAreAnsweredAndPushesToUnjoinedTopicsAreErrors() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let room = try await server.conversation(owner: ann, members: [])
            let socket = try await server.socket(ann)
            try await socket.heartbeat(ref: "1")
            for (ref, event) in [("2", "typing"), ("3", "phx_leave"), ("4", "shout")] {
                socket.push("conversation:\(room)", event, joinRef: "1", ref: ref)
                let reply = try await socket.reply(to: ref)
                #expect(reply.payload.member("status") == "error", "\(event)")
            }
        }
    }

    @Test func leaveRepliesOkThenClosesWithTheJoinRef() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let socket = try await server.socket(ann)
            let topic = "user:\(ann.id)"
            try await socket.join(topic, joinRef: "3")
            socket.push(topic, "phx_leave", joinRef: "3", ref: "4")
            let frames = try await socket.collect { $0.event == "phx_close" }
            let leaveReply = frames.first { $0.event == "phx_reply" }
            let reply = try #require(leaveReply)
            #expect(reply.ref == "4" && reply.joinRef == "3" && reply.payload.member("status") == "ok")
            let close = try #require(frames.last)
            #expect(close.joinRef == "3" && close.ref == "3" && close.topic == topic && close.payload == [:])
            // Left for good: a push now is an error.
            socket.push(topic, "anything", joinRef: "3", ref: "5")
            let afterLeave = try await socket.reply(to: "5")
            #expect(afterLeave.payload.member("status") == "error")
        }
    }

    @Test func aSecondJoinClosesTheFirst() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let socket = try await server.socket(ann)
            let topic = "user:\(ann.id)"
            try await socket.join(topic, joinRef: "1")
            socket.push(topic, "phx_join", joinRef: "2", ref: "2")
            let frames = try await socket.collect { $0.event == "phx_reply" && $0.ref == "2" }
            let firstClose = frames.first { $0.event == "phx_close" }
            let close = try #require(firstClose)
            #expect(close.joinRef == "1" && close.topic == topic)
            #expect(frames.last?.payload.member("status") == "ok")
            // The second join is the live one: a leave under it works.
            socket.push(topic, "phx_leave", joinRef: "2", ref: "3")
            let leaveReply = try await socket.reply(to: "3")
            #expect(leaveReply.payload.member("status") == "ok")
        }
    }

    @Test func aSilentSocketIsClosedAfterTheHeartbeatTimeout() async throws {
        // The default 60 s, on a clock the test moves.
        let clock = VirtualGatewayClock()
        try await ServerFixture.runNode({ $0.realtime.clock = clock }) { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let silent = try await server.socket(ann)
            let chatty = try await server.socket(bob)
            // Served, so registered: the last frames either socket sends before the clock moves.
            try await silent.heartbeat(ref: "1")
            try await chatty.heartbeat(ref: "1")
            clock.advance(by: .seconds(59))
            try await chatty.heartbeat(ref: "2")
            clock.advance(by: .seconds(2))
            try await silent.expectClosed()
            try await chatty.heartbeat(ref: "3")
            try await server.eventually { await server.app.gateway.socketCount == 1 }
        }
    }

    @Test func malformedAndOversizedFramesHurtNoOtherSocket() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let sloppy = try await server.socket(ann)
            let bystander = try await server.socket(bob)
            try await bystander.join("user:\(bob.id)", joinRef: "1")
            for garbage in ["not json", "{}", "[]", "[1,2,3]", #"[null,"1",5,"x",{}]"#, #"[null,"1","phoenix",7,{}]"#,
                            #"["1","1","phoenix","heartbeat""#, "\u{0}\u{1}", "[" + String(repeating: "[", count: 5_000)] {
                sloppy.send(raw: garbage)
            }
            // Dropped, and the socket is still served.
            try await sloppy.heartbeat(ref: "100")
            try await bystander.heartbeat(ref: "2")

            // Over the 64 KiB frame limit: that socket is closed, nobody else is.
            sloppy.send(raw: #"[null,"101","phoenix","heartbeat",{"pad":""# + String(repeating: "x", count: 100_000) + #""}]"#)
            try await sloppy.expectClosed()
            try await bystander.heartbeat(ref: "3")
            try await server.eventually { await server.app.gateway.socketCount == 1 }
        }
    }
}
