import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import PoolseBench

@Suite("The bench socket's frame handler")
struct BenchFrameHandlerTests {
    private let recorder = DeliveryRecorder()
    private let channel: EmbeddedChannel

    init() throws {
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(BenchFrameHandler(shard: recorder.makeShard()))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    private func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
    }

    @Test func textFramesAreRecorded() throws {
        try channel.writeInbound(frame(.text, #"[null,null,"conversation:c","message:new",{"body":"t=1;n=1"}]"#))
        try channel.writeInbound(frame(.text, #"["1","1","conversation:c","phx_reply",{"status":"ok","response":{}}]"#))
        #expect(recorder.delivered == 1)
        #expect(recorder.joined == 1)
    }

    @Test func fragmentedTextIsReassembledBeforeItIsRead() throws {
        try channel.writeInbound(frame(.text, #"[null,null,"conversation:c","mess"#, fin: false))
        try channel.writeInbound(frame(.continuation, #"age:new",{"body":"t=4"#, fin: false))
        #expect(recorder.delivered == 0)
        try channel.writeInbound(frame(.continuation, #"2;n=1"}]"#))
        #expect(recorder.delivered == 1)
        let latencies = recorder.latencies
        #expect(latencies.count == 1)
    }

    @Test func continuationsOfBinaryMessagesAreSkipped() throws {
        try channel.writeInbound(frame(.binary, #"[null,null,"conversation:c","message:new","#, fin: false))
        try channel.writeInbound(frame(.continuation, #"{"body":"t=42"}]"#))
        #expect(recorder.delivered == 0)
        try channel.writeInbound(frame(.text, #"[null,null,"conversation:c","message:new",{"body":"t=42"}]"#))
        #expect(recorder.delivered == 1)
    }

    @Test func pingIsAnsweredWithAMaskedPongCarryingItsData() throws {
        try channel.writeInbound(frame(.ping, "are you there"))
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(pong.maskKey != nil)
        // Outbound frames carry plain data and the key; the encoder masks on the way out.
        #expect(String(buffer: pong.data) == "are you there")
        #expect(channel.isActive)
    }

    @Test func serverCloseIsEchoedAndTheConnectionClosed() throws {
        var payload = ByteBuffer(integer: UInt16(1001))
        payload.writeString("going away")
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
        let echo = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(echo.opcode == .connectionClose)
        var code = echo.data
        #expect(code.readInteger(as: UInt16.self) == 1001)
        #expect(!channel.isActive)
    }
}
