import Foundation
import Testing
@testable import Poolse

@Suite("Messages")
struct MessageResourceTests {
    @Test func listSendsLimitAndBeforeForOlderPages() async throws {
        let transport = MockTransport([.json(200, Fixture.list([Fixture.message(id: "m-2", sequence: 2),
                                                                Fixture.message(id: "m-1", sequence: 1)]))])
        let page = try await makeClient(transport).conversations.one("c-1").messages.list(limit: 50, before: 120)
        let url = try #require(await transport.lastRequest?.url)
        #expect(url.absoluteString == "https://chat.example.test/v1/conversations/c-1/messages?limit=50&before=120")
        #expect(page.data.map(\.sequence) == [2, 1])
        #expect(page.data[0].reactions == ["👍": ["u-2"]])
    }

    @Test func listSendsAfterForCatchUp() async throws {
        let transport = MockTransport([.json(200, Fixture.list([]))])
        _ = try await makeClient(transport).conversations.one("c-1").messages.list(after: 41)
        #expect(await transport.lastRequest?.url.query == "after=41")
    }

    @Test func listWithoutArgumentsSendsNoQuery() async throws {
        let transport = MockTransport([.json(200, Fixture.list([]))])
        _ = try await makeClient(transport).conversations.one("c-1").messages.list()
        #expect(await transport.lastRequest?.url.query == nil)
    }

    @Test func listRejectsBeforeAndAfterTogetherWithoutSending() async throws {
        let transport = MockTransport()
        let messages = makeClient(transport).conversations.one("c-1").messages
        await #expect(throws: InvalidRequestError.self) { try await messages.list(before: 10, after: 2) }
        #expect(await transport.requestCount == 0)
    }

    @Test func sendGeneratesALowercaseUUIDWhenNoIDIsGiven() async throws {
        let transport = MockTransport(fallback: .json(201, Fixture.message()))
        let messages = makeClient(transport).conversations.one("c-1").messages
        _ = try await messages.send(.init(body: "one"))
        _ = try await messages.send(.init(body: "two"))

        let ids = await transport.requests.map { $0.jsonBody?.objectValue?["id"]?.stringValue }
        let first = try #require(ids[0])
        #expect(UUID(uuidString: first) != nil)
        #expect(first == first.lowercased())
        #expect(ids[0] != ids[1])
        #expect(await transport.lastRequest?.url.path == "/v1/conversations/c-1/messages")
    }

    @Test func sendKeepsTheCallersIDAndFields() async throws {
        let transport = MockTransport([.json(201, Fixture.message())])
        _ = try await makeClient(transport).conversations.one("c-1").messages.send(
            .init(id: "my-id", body: "Hi", replyToId: "m-0", mentions: ["u-2"]))
        #expect(await transport.lastRequest?.jsonBody
            == ["id": "my-id", "body": "Hi", "reply_to_id": "m-0", "mentions": ["u-2"]])
    }

    @Test func retriedSendKeepsTheSameGeneratedMessageID() async throws {
        let transport = MockTransport([.error(503, code: "unavailable"), .json(201, Fixture.message())])
        _ = try await makeClient(transport).conversations.one("c-1").messages.send(.init(body: "Hi"))
        let ids = await transport.requests.map { $0.jsonBody?.objectValue?["id"] }
        #expect(ids.count == 2)
        #expect(ids[0] == ids[1])
    }

    @Test func markReadPostsTheMessageID() async throws {
        let transport = MockTransport([.noContent])
        try await makeClient(transport).conversations.one("c-1").messages.markRead("m-7")
        let request = try #require(await transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.path == "/v1/conversations/c-1/read")
        #expect(request.jsonBody == ["message_id": "m-7"])
    }

    @Test func messageHandleUpdateAndDelete() async throws {
        let transport = MockTransport([.json(200, Fixture.message(body: "edited")), .noContent])
        let message = makeClient(transport).messages.one("m-1")
        let updated = try await message.update(body: "edited")
        try await message.delete()
        let requests = await transport.requests
        #expect(requests.map(\.method) == [.patch, .delete])
        #expect(requests.map(\.url.path) == ["/v1/messages/m-1", "/v1/messages/m-1"])
        #expect(requests[0].jsonBody == ["body": "edited"])
        #expect(requests[1].body == nil)
        #expect(updated.body == "edited")
    }

    @Test func repliesSendLimitAndAfter() async throws {
        let transport = MockTransport(fallback: .json(200, Fixture.list([Fixture.message()])))
        let message = makeClient(transport).messages.one("m-1")
        _ = try await message.replies(limit: 100, after: 3)
        _ = try await message.replies()
        let urls = await transport.requests.map(\.url.absoluteString)
        #expect(urls == ["https://chat.example.test/v1/messages/m-1/replies?limit=100&after=3",
                         "https://chat.example.test/v1/messages/m-1/replies"])
    }

    @Test func addReactionPostsTheEmoji() async throws {
        let transport = MockTransport([.json(200, Fixture.message())])
        let message = try await makeClient(transport).messages.one("m-1").addReaction("👍")
        let request = try #require(await transport.lastRequest)
        #expect(request.url.path == "/v1/messages/m-1/reactions")
        #expect(request.jsonBody == ["emoji": "👍"])
        #expect(message.reactions["👍"] == ["u-2"])
    }

    @Test(arguments: [
        ("👍", "%F0%9F%91%8D"),
        ("👍🏽", "%F0%9F%91%8D%F0%9F%8F%BD"),
        ("+1", "%2B1"),
        ("a/b", "a%2Fb"),
    ])
    func removeReactionPercentEncodesTheEmojiInThePath(emoji: String, encoded: String) async throws {
        let transport = MockTransport([.json(200, Fixture.message())])
        _ = try await makeClient(transport).messages.one("m-1").removeReaction(emoji)
        let request = try #require(await transport.lastRequest)
        #expect(request.method == .delete)
        #expect(request.url.absoluteString == "https://chat.example.test/v1/messages/m-1/reactions/" + encoded)
    }
}
