import Foundation
import PoolseWire
import NIOCore
import Testing

@testable import PoolseServer

@Suite("Member fan-out of conversation events")
struct MemberFanoutTests {
    let conversation: JSONValue = ["id": "c1", "name": "Launch \"x\"", "last_sequence": 7]

    @Test func onlyWantedRecipientsGetAPayloadWithTheirOwnCount() throws {
        let fanout = MemberFanout(conversation: conversation, wrapped: true, byUserId: "u1",
                                  unreadCounts: ["u1": 0, "u2": 3, "u3": 5])
        let message = try RealtimeMessage(topic: MemberFanout.topic("c1"), event: RealtimeEvent.conversationUpdated,
                                          encoding: fanout)
        // Through the text form, as it travels between nodes.
        let read = try #require(MemberFanout.read(message.payloadJSON))
        #expect(read == fanout)
        let online: Set<String> = ["u2", "u3", "u9"]
        let out = read.messages(event: RealtimeEvent.conversationUpdated, for: { online.contains($0) })
        #expect(out.map(\.topic) == ["user:u2", "user:u3"])
        let allUpdates = out.allSatisfy { $0.event == RealtimeEvent.conversationUpdated }
        #expect(allUpdates)
        var expected = conversation.objectValue ?? [:]
        expected["unread_count"] = 3
        #expect(out.first?.payload == ["conversation": .object(expected), "by_user_id": "u1"])
        #expect(out.last?.payload.objectValue?["conversation"]?.objectValue?["unread_count"] == 5)
    }

    @Test func createdEventsAreTheBareConversation() throws {
        let fanout = MemberFanout(conversation: conversation, wrapped: false, byUserId: nil, unreadCounts: ["u2": 0])
        let out = fanout.messages(event: RealtimeEvent.conversationCreated, for: { _ in true })
        var expected = conversation.objectValue ?? [:]
        expected["unread_count"] = 0
        #expect(out.count == 1)
        #expect(out.first?.payload == .object(expected))
        let nobody = fanout.messages(event: RealtimeEvent.conversationCreated, for: { _ in false })
        #expect(nobody.isEmpty)
    }

    @Test func aMalformedFanOutIsRefused() {
        #expect(MemberFanout.read(#"{"conversation":{},"wrapped":true,"unread_counts":{"u1":"x"}}"#) == nil)
        #expect(MemberFanout.read("not json") == nil)
        #expect(MemberFanout.read(#"{"wrapped":true,"unread_counts":{}}"#) == nil)
    }
}

@Suite("WebSocket text frames built once for a broadcast")
struct BroadcastFrameTests {
    @Test func headersFollowRFC6455ForEachLengthClass() throws {
        for (length, header) in [(5, [0x81, 5]), (125, [0x81, 125]), (126, [0x81, 126, 0, 126]),
                                 (65_535, [0x81, 126, 0xFF, 0xFF]), (65_536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0])] {
            let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
            let framed = SocketHandle.textFrame(payload)
            let bytes = Array(framed.readableBytesView)
            #expect(Array(bytes.prefix(header.count)) == header.map(UInt8.init), "length \(length)")
            #expect(bytes.count == header.count + length)
            #expect(bytes.last == UInt8(ascii: "x"))
        }
    }
}
