import Foundation
import Testing
@testable import Poolse

@Suite("Pins and search")
struct PinAndSearchResourceTests {
    @Test func pinsUseTheMessageAndConversationRoutes() async throws {
        let pinned = #"{"id":"m-1","conversation_id":"c-1","sender_id":"u-1","sequence":1,"body":"Hi","#
            + #""inserted_at":"2026-11-29T08:00:00.123456Z","updated_at":"2026-11-29T08:00:00.123456Z","#
            + #""pinned_at":"2026-11-29T09:00:00.000001Z","pinned_by":"u-2"}"#
        let transport = MockTransport([.json(200, pinned), .json(200, Fixture.message()),
                                       .json(200, Fixture.list([pinned]))])
        let pins = makeClient(transport).conversations.one("c-1").pins
        let message = try await pins.pin("m-1")
        #expect(message.pinnedBy == "u-2")
        #expect(message.pinnedAt == WireTime.date(micros: WireTime.parseMicros("2026-11-29T09:00:00.000001Z") ?? 0))
        #expect(await transport.lastRequest?.method == .post)
        #expect(await transport.lastRequest?.url.path == "/v1/messages/m-1/pin")
        let unpinned = try await pins.unpin("m-1")
        #expect(unpinned.pinnedAt == nil)
        #expect(await transport.lastRequest?.method == .delete)
        let list = try await pins.list()
        #expect(list.map(\.id) == ["m-1"])
        #expect(await transport.lastRequest?.url.path == "/v1/conversations/c-1/pins")
    }

    @Test func searchSendsItsFiltersAndDecodesHighlights() async throws {
        let page = #"{"data":[{"message":\#(Fixture.message()),"highlights":[{"start":0,"end":5}]}],"next_cursor":null}"#
        let transport = MockTransport([.json(200, page)])
        let result = try await makeClient(transport).search.messages("café noir", in: "c-1", from: "u-2", limit: 5)
        let url = try #require(await transport.lastRequest?.url)
        #expect(url.path == "/v1/search/messages")
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        #expect(items.first { $0.name == "q" }?.value == "café noir")
        #expect(items.first { $0.name == "conversation_id" }?.value == "c-1")
        #expect(items.first { $0.name == "sender_id" }?.value == "u-2")
        #expect(items.first { $0.name == "limit" }?.value == "5")
        #expect(result.data.first?.highlights == [SearchHighlight(start: 0, end: 5)])
        #expect(result.nextCursor == nil)
    }

    @Test func pagesFollowTheCursorUntilTheLastPage() async throws {
        func page(_ id: String, next: String?) -> String {
            #"{"data":[{"message":\#(Fixture.message(id: id)),"highlights":[]}],"next_cursor":"#
                + (next.map { "\"\($0)\"" } ?? "null") + "}"
        }
        let transport = MockTransport([.json(200, page("m-1", next: "c2")), .json(200, page("m-2", next: "c3")),
                                       .json(200, page("m-3", next: nil))])
        var ids: [String] = []
        for try await result in makeClient(transport).search.messagePages("kiwi", limit: 1) {
            ids += result.data.map(\.message.id)
        }
        #expect(ids == ["m-1", "m-2", "m-3"])
        let requests = await transport.requests
        let cursors = requests.map { request in
            URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "cursor" }?.value
        }
        #expect(cursors == [nil, "c2", "c3"])
    }

    @Test func pinEventsReachListenersStreamsAndTheEventStream() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let pinned = Received<MessagePinEvent>(), unpinned = Received<MessagePinEvent>()
        let offs = [channel.onMessagePinned(pinned.append), channel.onMessageUnpinned(unpinned.append)]
        let stream = channel.messagePinnedStream()
        let events = channel.events()
        await harness.waitUntilJoined(channel)
        let server = harness.transport.current!
        server.push("message:pinned", topic: "conversation:c-1", payload: json(
            #"{"message_id":"m-1","conversation_id":"c-1","pinned_by":"u-2","pinned_at":"2026-11-29T08:00:00.123456Z"}"#))
        server.push("message:unpinned", topic: "conversation:c-1", payload: json(
            #"{"message_id":"m-1","conversation_id":"c-1","pinned_by":"u-2","pinned_at":"2026-11-29T08:00:00.123456Z","unpinned_by":"u-3"}"#))
        await eventually { unpinned.count == 1 }
        #expect(pinned.all.map(\.pinnedBy) == ["u-2"])
        #expect(unpinned.all.map(\.unpinnedBy) == ["u-3"])
        for await event in stream {
            #expect(event.messageId == "m-1")
            break
        }
        var kinds: [String] = []
        for await event in events {
            if case .messagePinned = event { kinds.append("pinned") }
            if case .messageUnpinned = event { kinds.append("unpinned") }
            if kinds.count == 2 { break }
        }
        #expect(kinds == ["pinned", "unpinned"])
        offs.forEach { $0() }
        harness.chat.destroy()
    }
}
