import NIOCore
import PoolseTestSupport
import Testing
@testable import PoolseServer

/// RFC 6455 rules the server enforces on what clients send, checked with hand-built frames
/// over a raw TCP connection (a WebSocket library would never send them).
@Suite("Realtime: WebSocket strictness")
struct WebSocketStrictnessTests {
    private func connect(_ server: ServerNode) async throws -> RawWebSocketClient {
        let ann = try await server.user("ann")
        return try await RawWebSocketClient.connect(port: server.port,
                                                    target: "/socket/websocket?token=\(ann.token)&vsn=2.0.0")
    }

    /// A heartbeat gets its reply: the raw client's framing is right, so a refusal below is the rule's.
    private func expectServed(_ client: RawWebSocketClient) async throws {
        client.write(text: #"[null,"1","phoenix","heartbeat",{}]"#)
        guard case .frame(let reply) = await client.read() else { throw TestFailure("no heartbeat reply") }
        #expect(reply.text.contains("phx_reply"))
    }

    @Test func anUnmaskedFrameClosesTheSocketWithAProtocolError() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            try await expectServed(client)
            client.write(text: #"[null,"2","phoenix","heartbeat",{}]"#, masked: false)
            let close = await client.readClose()
            #expect(close?.closeCode == 1002)
            #expect(await client.closesConnection())
        }
    }

    @Test func anUnmaskedCloseIsAProtocolErrorToo() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            client.write(opcode: RawWebSocketClient.close, payload: [0x03, 0xE8], masked: false)
            #expect(await client.readClose()?.closeCode == 1002)
            #expect(await client.closesConnection())
        }
    }

    @Test(arguments: [
        (UInt16(3000), UInt16(3000)), (4999, 4999), (1001, 1001), (1000, 1000), (1011, 1011),
        (1005, 1002), (1006, 1002), (1004, 1002), (999, 1002), (2000, 1002), (5000, 1002),
    ])
    func theCloseAnswerEchoesAValidCodeAndRefusesAnInvalidOne(sent: UInt16, answered: UInt16) async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            try await expectServed(client)
            client.writeClose(code: sent)
            #expect(await client.readClose()?.closeCode == answered)
            #expect(await client.closesConnection())
        }
    }

    @Test func aCloseWithoutACodeIsAnsweredWithANormalClosure() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            client.writeClose(code: nil)
            #expect(await client.readClose()?.closeCode == 1000)
        }
    }

    @Test func aCloseReasonThatIsNotUTF8IsRefused() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            client.writeClose(code: 1000, reason: [0xC3, 0x28])
            #expect(await client.readClose()?.closeCode == 1007)
        }
    }

    @Test func textThatIsNotUTF8ClosesTheSocketWith1007() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            try await expectServed(client)
            // 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte.
            client.write(opcode: RawWebSocketClient.text, payload: Array(#"[null,"2","phoenix","heartbeat",""#.utf8)
                         + [0xC3, 0x28] + Array(#""]"#.utf8))
            #expect(await client.readClose()?.closeCode == 1007)
            #expect(await client.closesConnection())
        }
    }

    @Test func validTextThatIsNotAPhoenixFrameIsDroppedAndTheSocketStaysOpen() async throws {
        try await ServerFixture.runNode { server in
            let client = try await connect(server)
            client.write(text: "héllo, not a frame")
            try await expectServed(client)
        }
    }
}

/// The close code rules alone.
@Suite("Realtime: close replies")
struct CloseReplyTests {
    private func payload(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test func codesTheRFCAllowsOnTheWire() {
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999] {
            #expect(CloseReply.mayBeSent(code), "\(code)")
        }
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            #expect(!CloseReply.mayBeSent(code), "\(code)")
        }
    }

    @Test func answers() {
        #expect(CloseReply.code(answering: payload([])) == 1000)
        #expect(CloseReply.code(answering: payload([0x03])) == 1002)
        #expect(CloseReply.code(answering: payload([0x0B, 0xB8])) == 3000)
        #expect(CloseReply.code(answering: payload([0x0B, 0xB8] + Array("bye".utf8))) == 3000)
        #expect(CloseReply.code(answering: payload([0x03, 0xED])) == 1002)  // 1005
        #expect(CloseReply.code(answering: payload([0x0B, 0xB8, 0xFF])) == 1007)
    }
}
