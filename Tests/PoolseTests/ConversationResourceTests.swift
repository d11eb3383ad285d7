import Foundation
import Testing
@testable import Poolse

@Suite("Me and conversations")
struct ConversationResourceTests {
    @Test func meShowReadsTheCallingUser() async throws {
        let transport = MockTransport([.json(200, Fixture.me)])
        let me = try await makeClient(transport).me.show()
        let request = try #require(await transport.lastRequest)
        #expect(request.method == .get)
        #expect(request.url.path == "/v1/me")
        #expect(request.header("Accept") == "application/json")
        #expect(me.externalId == "alice")
        #expect(me.displayName == "Alice")
    }

    @Test func listDecodesTheDataEnvelopeIgnoringUnknownFields() async throws {
        let transport = MockTransport([.json(200, Fixture.list([Fixture.conversation(id: "c-1"),
                                                                Fixture.conversation(id: "c-2")]))])
        let list = try await makeClient(transport).conversations.list()
        #expect(await transport.lastRequest?.url.absoluteString == "https://chat.example.test/v1/conversations")
        #expect(list.data.map(\.id) == ["c-1", "c-2"])
        #expect(list.data[0].unreadCount == 2)
        #expect(list.data[0].memberExternalIds == ["alice", "bob"])
    }

    @Test func createPostsTheAttributesInSnakeCase() async throws {
        let transport = MockTransport([.json(201, Fixture.conversation())])
        let chat = makeClient(transport)
        _ = try await chat.conversations.create(
            .init(type: .group, name: "Team", memberLimit: 10, memberExternalIds: ["bob"], customData: ["k": "v"]))
        let request = try #require(await transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.path == "/v1/conversations")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.jsonBody == ["type": "group", "name": "Team", "member_limit": 10,
                                     "member_external_ids": ["bob"], "custom_data": ["k": "v"]])
    }

    @Test func oneMakesNoRequest() async throws {
        let transport = MockTransport()
        let handle = makeClient(transport).conversations.one("c-9")
        #expect(handle.id == "c-9")
        #expect(handle.messages.conversationID == "c-9")
        #expect(await transport.requestCount == 0)
    }

    @Test func handleShowAndUpdateUseTheConversationPath() async throws {
        let transport = MockTransport(fallback: .json(200, Fixture.conversation()))
        let conversation = makeClient(transport).conversations.one("c-1")
        _ = try await conversation.show()
        _ = try await conversation.update(.init(name: "Renamed", avatarURL: .some(nil)))
        let requests = await transport.requests
        #expect(requests.map(\.method) == [.get, .patch])
        #expect(requests.map(\.url.path) == ["/v1/conversations/c-1", "/v1/conversations/c-1"])
        // Absent fields stay absent (unchanged); an explicit nil is sent as null (cleared).
        #expect(requests[1].jsonBody == ["name": "Renamed", "avatar_url": nil])
    }

    @Test func memberRoutes() async throws {
        let transport = MockTransport([
            .json(200, Fixture.list([Fixture.membership()])),
            .json(200, Fixture.list([Fixture.membership(externalID: "carol"), Fixture.membership(externalID: "dan")])),
            .noContent,
        ])
        let conversation = makeClient(transport).conversations.one("c-1")

        let members = try await conversation.listMembers()
        let added = try await conversation.addMembers(["carol", "dan"], role: .admin)
        try await conversation.removeMember("u-2")

        let requests = await transport.requests
        #expect(requests.map(\.method) == [.get, .post, .delete])
        #expect(requests.map(\.url.path) == ["/v1/conversations/c-1/members", "/v1/conversations/c-1/members",
                                             "/v1/conversations/c-1/members/u-2"])
        #expect(requests[1].jsonBody == ["external_ids": ["carol", "dan"], "role": "admin"])
        #expect(members.data.map(\.externalId) == ["bob"])
        #expect(added.data.map(\.externalId) == ["carol", "dan"])
    }

    @Test func addMemberReturnsThatUsersMembership() async throws {
        let transport = MockTransport([.json(200, Fixture.list([Fixture.membership(externalID: "erin")]))])
        let membership = try await makeClient(transport).conversations.one("c-1").addMember("erin")
        #expect(membership.externalId == "erin")
        #expect(await transport.lastRequest?.jsonBody == ["external_ids": ["erin"]])
    }

    @Test func addMemberFindsAnExistingMemberInTheMemberList() async throws {
        let transport = MockTransport([
            .json(200, Fixture.list([])),
            .json(200, Fixture.list([Fixture.membership(externalID: "alice"), Fixture.membership(externalID: "bob")])),
        ])
        let membership = try await makeClient(transport).conversations.one("c-1").addMember("bob")
        #expect(membership.externalId == "bob")
        #expect(await transport.requests.map(\.method) == [.post, .get])
    }

    @Test func pathSegmentsArePercentEncoded() async throws {
        let transport = MockTransport([.json(200, Fixture.conversation())])
        _ = try await makeClient(transport).conversations.one("a/b?c").show()
        #expect(await transport.lastRequest?.url.absoluteString
            == "https://chat.example.test/v1/conversations/a%2Fb%3Fc")
    }
}
