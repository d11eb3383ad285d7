import Foundation
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// Every REST write publishes its event after commit, with the payload shapes of PROTOCOL.md §6–§7.
@Suite struct RealtimeEventTests {
    @Test func messageNewCarriesTheStoredMessageAndUpdatesEveryInbox() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let bobSocket = try await server.socket(bob)
            try await bobSocket.join("conversation:\(room)", joinRef: "1")
            try await bobSocket.join("user:\(bob.id)", joinRef: "2")
            let annSocket = try await server.socket(ann)
            try await annSocket.join("user:\(ann.id)", joinRef: "1")

            let sent = try await server.send("hello @bob", in: room, as: ann, mentions: [bob.id])
            let new = try await bobSocket.expect("message:new")
            #expect(new.payload == sent)
            #expect(new.topic == "conversation:\(room)")
            #expect(new.joinRef == .null && new.ref == .null)

            let mention = try await bobSocket.expect("mention:new")
            #expect(mention.topic == "user:\(bob.id)")
            #expect(mention.payload == ["message_id": sent.member("id"), "conversation_id": .string(room),
                                        "sender_id": .string(ann.id)])

            let bobUpdate = try await bobSocket.expect("conversation:updated")
            #expect(bobUpdate.topic == "user:\(bob.id)")
            #expect(bobUpdate.payload.member("by_user_id") == .string(ann.id))
            // The conversation as GET shows it, except `member_external_ids`, which a message's update leaves out.
            var shown = try await server.ok(.get, "/v1/conversations/\(room)", token: bob.token)
            if case .object(var fields) = shown {
                fields["member_external_ids"] = nil
                shown = .object(fields)
            }
            #expect(bobUpdate.payload.member("conversation") == shown)
            #expect(bobUpdate.payload.member("conversation").member("unread_count") == 1)
            #expect(bobUpdate.payload.member("conversation").member("last_sequence") == 1)
            #expect(bobUpdate.payload.member("conversation").member("last_message_preview") == "hello @bob")

            let annUpdate = try await annSocket.expect("conversation:updated")
            #expect(annUpdate.payload.member("conversation").member("unread_count") == 0)
            #expect(annUpdate.payload.member("conversation").objectValue?["member_external_ids"] == nil)
            #expect(annUpdate.payload.member("by_user_id") == .string(ann.id))
        }
    }

    @Test func editsReactionsAndDeletesArePublished() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let socket = try await server.socket(bob)
            try await socket.join("conversation:\(room)", joinRef: "1")
            try await socket.join("user:\(bob.id)", joinRef: "2")
            let sent = try await server.send("first", in: room, as: ann)
            let id = try sent.memberString("id")

            let edited = try await server.ok(.patch, "/v1/messages/\(id)", token: ann.token, body: ["body": "first!"])
            #expect(try await socket.expect("message:updated").payload == edited)

            try await server.ok(.post, "/v1/messages/\(id)/reactions", token: bob.token, body: ["emoji": "👍"])
            let reaction: JSONValue = ["message_id": .string(id), "conversation_id": .string(room), "emoji": "👍",
                                       "user_id": .string(bob.id)]
            #expect(try await socket.expect("reaction:added").payload == reaction)
            try await server.ok(.delete, "/v1/messages/\(id)/reactions/%F0%9F%91%8D", token: bob.token)
            #expect(try await socket.expect("reaction:removed").payload == reaction)

            try await server.ok(.delete, "/v1/messages/\(id)", token: ann.token)
            let deleted = try await socket.expect("message:deleted")
            #expect(deleted.payload.member("id") == .string(id))
            #expect(deleted.payload.member("conversation_id") == .string(room))
            #expect(deleted.payload.member("deleted_at").stringValue.flatMap(WireTime.parse) != nil)
            #expect(deleted.payload.objectValue?.count == 3)
            // The delete updates inboxes too: the preview changed and nothing is unread any more.
            let update = try await socket.expect { $0.event == "conversation:updated" && $0.payload.member("conversation").member("unread_count") == 0 }
            #expect(update.payload.member("conversation").member("last_message_preview") == "Message deleted")
        }
    }

    @Test func aReadIsPublishedAndUpdatesOnlyTheReadersInbox() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            let annSocket = try await server.socket(ann)
            try await annSocket.join("conversation:\(room)", joinRef: "1")
            try await annSocket.join("user:\(ann.id)", joinRef: "2")
            let bobSocket = try await server.socket(bob)
            try await bobSocket.join("user:\(bob.id)", joinRef: "1")
            let sent = try await server.send("read me", in: room, as: ann)
            _ = try await annSocket.expect("conversation:updated")
            _ = try await bobSocket.expect("conversation:updated")

            try await server.ok(.post, "/v1/conversations/\(room)/read", token: bob.token, body: ["message_id": sent.member("id")])
            let read = try await annSocket.expect("member:read")
            #expect(read.payload.member("user_id") == .string(bob.id))
            #expect(read.payload.member("conversation_id") == .string(room))
            #expect(read.payload.member("last_read_message_id") == sent.member("id"))
            #expect(read.payload.member("last_read_at").stringValue.flatMap(WireTime.parse) != nil)
            let bobUpdate = try await bobSocket.expect("conversation:updated")
            #expect(bobUpdate.payload.member("conversation").member("unread_count") == 0)
            #expect(bobUpdate.payload.member("by_user_id") == .string(bob.id))

            // Ann's inbox did not change: the next thing on her user topic is the sentinel below.
            try await server.send("sentinel", in: room, as: bob)
            let annFrames = try await annSocket.collect { $0.event == "conversation:updated" }
            #expect(annFrames.last?.payload.member("by_user_id") == .string(bob.id))
        }
    }

    @Test func conversationUpdatesCarryEachRecipientsOwnUnreadCount() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = try await server.conversation(owner: ann, members: [bob])
            try await server.send("one", in: room, as: ann)
            try await server.send("two", in: room, as: ann)
            let annSocket = try await server.socket(ann)
            try await annSocket.join("user:\(ann.id)", joinRef: "1")
            let bobSocket = try await server.socket(bob)
            try await bobSocket.join("user:\(bob.id)", joinRef: "1")

            try await server.ok(.patch, "/v1/conversations/\(room)", token: ann.token, body: ["name": "renamed"])
            let forBob = try await bobSocket.expect("conversation:updated")
            let forAnn = try await annSocket.expect("conversation:updated")
            #expect(forBob.payload.member("conversation").member("name") == "renamed")
            #expect(forBob.payload.member("conversation").member("unread_count") == 2)
            #expect(forAnn.payload.member("conversation").member("unread_count") == 0)
            #expect(forBob.payload.member("by_user_id") == .string(ann.id))
            #expect(forBob.payload.member("conversation") == (try await server.ok(.get, "/v1/conversations/\(room)", token: bob.token)))
        }
    }

    @Test func newMembersGetConversationCreated() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), carol = try await server.user("carol")
            let carolSocket = try await server.socket(carol)
            try await carolSocket.join("user:\(carol.id)", joinRef: "1")
            let room = try await server.conversation(owner: ann, members: [])
            try await server.send("before carol", in: room, as: ann)
            try await server.ok(.post, "/v1/conversations/\(room)/members", token: ann.token,
                                body: ["external_ids": ["carol"]])
            let created = try await carolSocket.expect("conversation:created")
            #expect(created.payload == (try await server.ok(.get, "/v1/conversations/\(room)", token: carol.token)))
            #expect(created.payload.member("member_external_ids") == ["ann", "carol"])
            #expect(created.payload.member("unread_count") == 1)

            // Creating a conversation with her announces it too.
            let other = try await server.conversation(owner: ann, members: [carol])
            #expect(try await carolSocket.expect("conversation:created").payload.member("id") == .string(other))
        }
    }

    @Test func presenceFollowsEachSocketOfAUser() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann"), bob = try await server.user("bob")
            let room = "conversation:\(try await server.conversation(owner: ann, members: [bob]))"
            let phone = try await server.socket(ann)
            try await phone.join(room, joinRef: "1")
            let phoneState = try await phone.expect("presence_state")
            let phoneRef = try #require(phoneState.payload.member(ann.id).member("metas").arrayFirst)
            #expect(phoneState.joinRef == "1")
            #expect(phoneRef.member("external_id") == "ann")
            #expect(phoneRef.member("online_at").isNumber)
            let ownJoin = try await phone.expect("presence_diff")
            #expect(ownJoin.payload == ["joins": [ann.id: ["metas": [phoneRef]]], "leaves": [:]])

            let laptop = try await server.socket(ann)
            try await laptop.join(room, joinRef: "1")
            let laptopState = try await laptop.expect("presence_state")
            let metas = laptopState.payload.member(ann.id).member("metas")
            guard case .array(let both) = metas else { throw TestFailure("no metas: \(laptopState)") }
            #expect(both.count == 2 && both.contains(phoneRef))
            let laptopMeta = both.first { $0 != phoneRef }
            let laptopRef = try #require(laptopMeta)
            #expect(try await phone.expect("presence_diff").payload == ["joins": [ann.id: ["metas": [laptopRef]]], "leaves": [:]])

            let peer = try await server.socket(bob)
            try await peer.join(room, joinRef: "7")
            let peerState = try await peer.expect("presence_state")
            #expect(peerState.payload.objectValue?.keys.sorted() == [ann.id, bob.id].sorted())

            laptop.push(room, "phx_leave", joinRef: "1", ref: "2")
            let leave: JSONValue = ["joins": [:], "leaves": [ann.id: ["metas": [laptopRef]]]]
            let peerSeesLaptopLeave = try await peer.expectPresenceLeave()
            let phoneSeesLaptopLeave = try await phone.expectPresenceLeave()
            #expect(peerSeesLaptopLeave.payload == leave)
            #expect(phoneSeesLaptopLeave.payload == leave)

            phone.close()
            let gone: JSONValue = ["joins": [:], "leaves": [ann.id: ["metas": [phoneRef]]]]
            let peerSeesPhoneLeave = try await peer.expectPresenceLeave()
            #expect(peerSeesPhoneLeave.payload == gone)
        }
    }
}

extension JSONValue {
    /// The first element of an array.
    var arrayFirst: JSONValue? {
        if case .array(let items) = self { return items.first }
        return nil
    }

    /// Whether this is a number.
    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }
}
