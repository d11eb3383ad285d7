import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Pin events reach sockets on another node (through PostgreSQL on PostgreSQL, through the
/// shared in-process pub/sub on SQLite), and a deleted message's pin goes with it.
@Suite("Pin events across nodes", .serialized)
struct MultiNodePinTests {
    @Test func pinAndUnpinThroughOneNodeReachASocketOnAnother() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), bob = try await a.user("bob")
            let room = try await a.conversation(owner: ann, members: [bob])
            let sent = try await a.send("pin this", in: room, as: bob)
            let messageId = try sent.memberString("id")
            let socket = try await b.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")

            let pinned = try await a.ok(.post, "/v1/messages/\(messageId)/pin", token: ann.token)
            let pin = try await socket.expect("message:pinned")
            #expect(pin.topic == "conversation:\(room)")
            #expect(pin.payload.member("message_id") == .string(messageId))
            #expect(pin.payload.member("conversation_id") == .string(room))
            #expect(pin.payload.member("pinned_by") == .string(ann.id))
            #expect(pin.payload.member("pinned_at") == pinned.member("pinned_at"))

            try await a.ok(.delete, "/v1/messages/\(messageId)/pin", token: ann.token)
            let unpin = try await socket.expect("message:unpinned")
            #expect(unpin.payload.member("message_id") == .string(messageId))
            #expect(unpin.payload.member("pinned_by") == .string(ann.id))
            #expect(unpin.payload.member("unpinned_by") == .string(ann.id))

            // Deleting a pinned message unpins it, and the other node hears that too.
            try await a.ok(.post, "/v1/messages/\(messageId)/pin", token: ann.token)
            _ = try await socket.expect("message:pinned")
            try await a.ok(.delete, "/v1/messages/\(messageId)", token: bob.token)
            _ = try await socket.expect("message:deleted")
            let lost = try await socket.expect("message:unpinned")
            #expect(lost.payload.member("unpinned_by") == .string(bob.id))
        }
    }
}
