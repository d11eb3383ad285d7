import Foundation
import PoolseWire
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
