import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Issue 13 in realtime, across two nodes: a blocked sender's messages never reach the blocker's
/// sockets, and bans and tenant-wide blocks close sockets on every node at once.
@Suite("Safety in realtime across nodes", .serialized)
struct SafetyRealtimeTests {
    @Test func aBlockedSendersMessagesSkipTheBlockersSocketsOnEveryNode() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), ben = try await a.user("ben"), carol = try await a.user("carol")
            let room = try await a.conversation(owner: ann, members: [ben, carol])
            try await a.ok(.post, "/v1/me/blocks", token: ann.token, body: ["user_id": .string(ben.id)])
            let annOnA = try await a.socket(ann), annOnB = try await b.socket(ann), carolOnB = try await b.socket(carol)
            for socket in [annOnA, annOnB, carolOnB] { try await socket.join("conversation:\(room)", joinRef: "1") }

            try await a.send("from ben", in: room, as: ben)
            try await b.send("from carol", in: room, as: carol)
            // Carol gets both; ann's sockets on either node get only carol's.
            let carolSees = try await carolOnB.expect("message:new")
            #expect(carolSees.payload.member("body") == "from ben")
            for socket in [annOnA, annOnB] {
                let first = try await socket.expect("message:new")
                #expect(first.payload.member("body") == "from carol")
            }
            try await a.ok(.delete, "/v1/me/blocks/\(ben.id)", token: ann.token)
            try await b.send("ben again", in: room, as: ben)
            let restored = try await annOnB.expect("message:new")
            #expect(restored.payload.member("body") == "ben again")
        }
    }

    @Test func aBanClosesTheTopicOnEveryNode() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let owner = try await a.user("owner"), ben = try await a.user("ben")
            let room = try await a.conversation(owner: owner, members: [ben])
            let onA = try await a.socket(ben), onB = try await b.socket(ben)
            for socket in [onA, onB] { try await socket.join("conversation:\(room)", joinRef: "1") }
            try await a.ok(.post, "/v1/conversations/\(room)/bans", token: owner.token, body: ["user_id": .string(ben.id)])
            for socket in [onA, onB] {
                let close = try await socket.expect("phx_close", topic: "conversation:\(room)")
                #expect(close.joinRef == "1")
            }
            let rejoin = try await onB.join("conversation:\(room)", joinRef: "2")
            #expect(rejoin.payload.member("status") == "error")
        }
    }

    @Test func aTenantWideBlockClosesEverySocketOnEveryNode() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ben = try await a.user("ben")
            let onA = try await a.socket(ben), onB = try await b.socket(ben)
            try await onA.heartbeat(ref: "1")
            try await onB.heartbeat(ref: "1")
            try await b.ok(.patch, "/v1/users/\(ben.id)", token: nil, body: ["is_blocked": true])
            try await onA.expectClosed()
            try await onB.expectClosed()
            #expect(await !a.canConnect(query: "token=\(ben.token)&vsn=2.0.0"))
        }
    }

    @Test func freezingTellsEveryMember() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let owner = try await a.user("owner"), ben = try await a.user("ben")
            let room = try await a.conversation(owner: owner, members: [ben])
            let socket = try await b.socket(ben)
            try await socket.join("user:\(ben.id)", joinRef: "1")
            try await a.ok(.patch, "/v1/conversations/\(room)", token: nil, body: ["frozen": true])
            let updated = try await socket.expect("conversation:updated")
            #expect(updated.payload.member("conversation").member("frozen") == true)
            let refused = try await b.call(.post, "/v1/conversations/\(room)/messages", token: ben.token, body: ["body": "x"])
            #expect(refused.status == 403)
            #expect(refused.json.member("error").member("code") == "conversation_frozen")
        }
    }
}

/// Typing and presence of a blocked user are not shown to the blocker, on either node.
@Suite("Blocked users' typing and presence", .serialized)
struct BlockedPresenceTests {
    @Test func theBlockerSeesNeitherTypingNorPresenceOfTheBlocked() async throws {
        try await ServerFixture.runCluster { cluster in
            let a = cluster.nodes[0], b = cluster.nodes[1]
            let ann = try await a.user("ann"), ben = try await a.user("ben"), carol = try await a.user("carol")
            let room = try await a.conversation(owner: ann, members: [ben, carol])
            let topic = "conversation:\(room)"
            let benSocket = try await b.socket(ben)
            try await benSocket.join(topic, joinRef: "1")
            try await a.ok(.post, "/v1/me/blocks", token: ann.token, body: ["user_id": .string(ben.id)])

            let annSocket = try await a.socket(ann), carolSocket = try await a.socket(carol)
            try await annSocket.join(topic, joinRef: "1")
            let state = try await annSocket.expect("presence_state")
            #expect(state.payload.member(ben.id) == .null, "ben is left out of ann's presence")
            #expect(state.payload.member(ann.id) != .null)
            try await carolSocket.join(topic, joinRef: "1")
            let carolState = try await carolSocket.expect("presence_state")
            #expect(carolState.payload.member(ben.id) != .null, "others still see ben")

            benSocket.push(topic, "typing", joinRef: "1", ref: "5")
            let carolTyping = try await carolSocket.expect("typing:start")
            #expect(carolTyping.payload.member("user_id") == .string(ben.id))
            // A leave and join of ben: carol sees both diffs, ann none of them.
            benSocket.push(topic, "phx_leave", joinRef: "1", ref: "6")
            _ = try await carolSocket.expectPresenceLeave()
            annSocket.push("phoenix", "heartbeat", ref: "7")
            let annFrames = try await annSocket.collect { $0.event == "phx_reply" && $0.ref == "7" }
            #expect(!annFrames.contains { $0.event == "typing:start" || $0.event == "typing:stop" })
            #expect(!annFrames.contains { $0.event == "presence_diff" && $0.raw.contains(ben.id) })

            // After unblocking, ben's next join is seen again.
            try await a.ok(.delete, "/v1/me/blocks/\(ben.id)", token: ann.token)
            try await benSocket.join(topic, joinRef: "8")
            let diff = try await annSocket.expect { $0.event == "presence_diff" && $0.raw.contains(ben.id) }
            #expect(diff.payload.member("joins").member(ben.id) != .null)
        }
    }
}
