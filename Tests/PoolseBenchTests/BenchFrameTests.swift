import Foundation
import NIOCore
import PoolseWire
import Testing

@testable import PoolseBench
@testable import PoolseServer

@Suite("Reading bench frames from their bytes")
struct BenchFrameTests {
    /// A `message:new` exactly as the server writes it: the message encoded once with the wire
    /// encoder, framed by the gateway's `pushBuffer`.
    private func serverFrame(body: String?, topic: String = "conversation:c_1") throws -> ByteBuffer {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let message = Message(id: "m_1", tenantId: "t_1", conversationId: "c_1", senderId: "u_1", senderExternalId: "sender-1",
                              body: body, mentions: ["u_2"], sequence: 4, insertedAt: now, updatedAt: now)
        let payload = String(decoding: try WireCoding.encoder.encode(message), as: UTF8.self)
        return PhoenixFrame.pushBuffer(topic: topic, event: "message:new", payloadJSON: payload)
    }

    @Test func stampedMessageFromTheServerIsADelivery() throws {
        let sent = UInt64.random(in: 1...UInt64(Int64.max))
        let kind = BenchFrame.classify(try serverFrame(body: "t=\(sent);n=4"))
        #expect(kind == .delivery(sentAt: sent))
    }

    @Test func handWrittenMessageFrameIsADelivery() {
        let text = #"[null,null,"conversation:c_9","message:new",{"id":"m_2","sequence":7,"body":"t=123;n=4","mentions":[]}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .delivery(sentAt: 123))
    }

    @Test func otherEventsAreNotDeliveriesEvenWithAStampedBody() {
        let text = #"[null,null,"conversation:c_9","message:updated",{"id":"m_2","body":"t=123;n=4"}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .other)
    }

    @Test func eventNameInsideThePayloadDoesNotMakeADelivery() {
        let text = #"[null,null,"conversation:c_9","typing",{"note":"message:new","body":"t=5"}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .other)
    }

    @Test func messageWithoutAStampIsIgnored() throws {
        #expect(BenchFrame.classify(try serverFrame(body: "hello there")) == .other)
        #expect(BenchFrame.classify(try serverFrame(body: nil)) == .other)
        #expect(BenchFrame.classify(try serverFrame(body: "t=;n=1")) == .other)
    }

    @Test func stampTextInsideAnotherStringIsNotTheBody() {
        // Inside a JSON string the quotes are escaped, so the marker cannot match there.
        let text = #"[null,null,"conversation:c_9","message:new",{"custom":"\"body\":\"t=999","body":"t=42;n=1"}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .delivery(sentAt: 42))
    }

    @Test func digitsRunningToTheEndOfTheReadableBytesAreRead() throws {
        let text = #"[null,null,"conversation:c_9","message:new",{"body":"t=987654"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .delivery(sentAt: 987_654))
        // A slice ends inside the digits: nothing past its end is read.
        let whole = ByteBuffer(string: text + "321;n=1\"}]")
        let cut = try #require(whole.getSlice(at: 0, length: text.utf8.count - 3))
        let kind = BenchFrame.classify(cut)
        #expect(kind == .delivery(sentAt: 987))
    }

    @Test func readerIndexPastZeroIsRespected() {
        var buffer = ByteBuffer(string: "garbage")
        buffer.writeString(#"[null,null,"conversation:c_9","message:new",{"body":"t=77"}]"#)
        buffer.moveReaderIndex(forwardBy: 7)
        #expect(BenchFrame.classify(buffer) == .delivery(sentAt: 77))
    }

    @Test func stampThatOverflowsSixtyFourBitsIsIgnored() {
        let text = #"[null,null,"conversation:c_9","message:new",{"body":"t=18446744073709551616"}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .other)
    }

    @Test func joinReplyOnAChannelTopicIsAJoinWhateverTheKeyOrder() {
        let statusFirst = #"["1","1","conversation:c_9","phx_reply",{"status":"ok","response":{}}]"#
        let statusLast = #"["1","1","user:u_1","phx_reply",{"response":{"last_sequence":3},"status":"ok"}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: statusFirst)) == .joinReply)
        #expect(BenchFrame.classify(ByteBuffer(string: statusLast)) == .joinReply)
    }

    @Test func heartbeatRepliesAndErrorsAreNotJoins() {
        let heartbeat = #"[null,"h1","phoenix","phx_reply",{"status":"ok","response":{}}]"#
        let refused = #"["1","1","conversation:c_9","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: heartbeat)) == .other)
        #expect(BenchFrame.classify(ByteBuffer(string: refused)) == .other)
    }

    @Test func escapedQuotesInRefsAreSkipped() {
        let text = #"["a\"b",null,"conversation:c_9","phx_reply",{"status":"ok","response":{}}]"#
        #expect(BenchFrame.classify(ByteBuffer(string: text)) == .joinReply)
    }

    @Test func malformedFramesAreOther() {
        for text in ["", "[", "{}", #"[null,null,"conversation:c_9""#, #"[null,null,"conversation:c_9","message:new""#,
                     #"["1","1","conversation:c_9","phx_reply"#] {
            #expect(BenchFrame.classify(ByteBuffer(string: text)) == .other, "\(text)")
        }
    }
}
