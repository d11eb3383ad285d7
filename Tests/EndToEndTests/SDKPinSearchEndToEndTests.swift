import Foundation
import Poolse
import PoolseServer
import Testing
import PoolseTestSupport

/// Pins and search through the SDK against a real server on loopback.
@Suite("SDK ↔ server, pins and search")
struct SDKPinSearchEndToEndTests {
    @Test func pinListUnpinAndSearchPageByPage() async throws {
        try await ServerFixture.run { server in
            let alice = server.client(for: "alice")
            let bob = server.client(for: "bob")
            let group = try await alice.conversations.create(.init(type: .group, memberExternalIds: ["bob"]))
            let conversation = alice.conversations.one(group.id)
            var sent: [Message] = []
            for index in 0..<5 { sent.append(try await conversation.messages.send(.init(body: "Grüezi aus Köln \(index)"))) }

            let pinned = try await conversation.pins.pin(sent[1].id)
            #expect(pinned.pinnedAt != nil)
            #expect(try await bob.conversations.one(group.id).pins.list().map(\.id) == [sent[1].id])
            let unpinned = try await conversation.pins.unpin(sent[1].id)
            #expect(unpinned.pinnedAt == nil)
            #expect(try await conversation.pins.list().isEmpty)

            // Accents folded, last word a prefix, two hits per page, newest first among equals.
            let first = try await bob.search.messages("gruezi kol", in: group.id, limit: 2)
            #expect(first.data.count == 2)
            #expect(first.nextCursor != nil)
            var ids: [String] = []
            for try await page in bob.search.messagePages("gruezi kol", limit: 2) { ids += page.data.map(\.message.id) }
            #expect(ids == sent.reversed().map(\.id))
        }
    }
}
