import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Message search")
struct SearchRouteTests {
    func search(_ api: APIClient, _ query: String, token: String, extra: String = "") async throws -> MessageSearchPage {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let result = try await api.request(.get, "/v1/search/messages?q=\(q)\(extra)", token: token)
        #expect(result.status == 200, "\(String(decoding: result.body, as: UTF8.self))")
        return try result.decode(MessageSearchPage.self)
    }

    @Test func wordsPhrasesPrefixesCaseAndAccents() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let cafe = try await api.send("Meet at the Café Noir tomorrow", to: group.id, token: alice)
            let order = try await api.send("noir café is closed", to: group.id, token: alice)
            _ = try await api.send("nothing to see here", to: group.id, token: alice)

            // Every word must match, in any order; case and accents don't matter.
            #expect(Set(try await search(api, "CAFE noir", token: alice).data.map(\.message.id)) == [cafe.id, order.id])
            // A phrase keeps its order.
            #expect(try await search(api, "\"cafe noir\"", token: alice).data.map(\.message.id) == [cafe.id])
            // The last word is a prefix (typing), the others are whole words.
            #expect(try await search(api, "noir tomor", token: alice).data.map(\.message.id) == [cafe.id])
            #expect(try await search(api, "tomor noir", token: alice).data.isEmpty)
            // Highlights are UTF-16 ranges of the matched words.
            let hit = try #require(try await search(api, "café", token: alice).data.first { $0.message.id == cafe.id })
            let body = NSString(string: try #require(hit.message.body))
            #expect(hit.highlights.map { body.substring(with: NSRange(location: $0.start, length: $0.end - $0.start)) }
                    == ["Café"])
        }
    }

    @Test func cjkMatchesAnySubstring() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let tokyo = try await api.send("明日は東京タワーに行きます", to: group.id, token: alice)
            let beijing = try await api.send("我在北京工作", to: group.id, token: alice)
            #expect(try await search(api, "東京", token: alice).data.map(\.message.id) == [tokyo.id])
            #expect(try await search(api, "タワー", token: alice).data.map(\.message.id) == [tokyo.id])
            #expect(try await search(api, "北京", token: alice).data.map(\.message.id) == [beijing.id])
            #expect(try await search(api, "京", token: alice).data.count == 2)
            #expect(try await search(api, "京都", token: alice).data.isEmpty)
            let hit = try #require(try await search(api, "東京", token: alice).data.first)
            #expect(hit.highlights == [SearchHighlight(start: 3, end: 5)])
        }
    }

    @Test func onlyTheCallersConversationsAndNeverAnotherTenant() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (bob, bobToken) = try await api.login("bob")
            let (_, mallory) = try await api.login("mallory")
            let shared = try await api.createGroup(token: alice, members: ["bob"])
            let secret = try await api.createGroup(token: alice, members: [])
            let visible = try await api.send("project falcon update", to: shared.id, token: alice)
            _ = try await api.send("project falcon secret", to: secret.id, token: alice)

            #expect(try await search(api, "falcon", token: bobToken).data.map(\.message.id) == [visible.id])
            #expect(try await search(api, "falcon", token: mallory).data.isEmpty)
            // Filtering by a conversation the caller is not in finds nothing rather than leaking.
            #expect(try await search(api, "falcon", token: bobToken, extra: "&conversation_id=\(secret.id)").data.isEmpty)

            let otherKey = try await api.server.makeTenant()
            let (_, eve) = try await api.login("alice", apiKey: otherKey)
            #expect(try await search(api, "falcon", token: eve).data.isEmpty)

            // A removed member stops finding the conversation's messages.
            #expect(try await api.request(.delete, "/v1/conversations/\(shared.id)/members/\(bob.id)", token: alice)
                .status == 204)
            #expect(try await search(api, "falcon", token: bobToken).data.isEmpty)
        }
    }

    @Test func aBlockedSendersMessagesAreLeftOut() async throws {
        try await ServerFixture.open().run { api in
            let (_, aliceToken) = try await api.login("alice")
            let (bob, bobToken) = try await api.login("bob")
            let (_, carolToken) = try await api.login("carol")
            let group = try await api.createGroup(token: aliceToken, members: ["bob", "carol"])
            let fromBob = try await api.send("harbour meeting", to: group.id, token: bobToken)
            let fromCarol = try await api.send("harbour lunch", to: group.id, token: carolToken)
            #expect(Set(try await search(api, "harbour", token: aliceToken).data.map(\.message.id)) == [fromBob.id, fromCarol.id])
            _ = try await api.request(.post, "/v1/me/blocks", token: aliceToken, json: ["user_id": .string(bob.id)])
            #expect(try await search(api, "harbour", token: aliceToken).data.map(\.message.id) == [fromCarol.id])
            #expect(try await search(api, "harbour", token: carolToken).data.count == 2, "only the blocker's results change")
        }
    }

    @Test func editsAndDeletesAreReflectedAtOnce() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let message = try await api.send("the old wording", to: group.id, token: alice)
            #expect(try await search(api, "wording", token: alice).data.count == 1)

            let edited = try await api.request(.patch, "/v1/messages/\(message.id)", token: alice,
                                               json: ["body": "completely rephrased"])
            #expect(edited.status == 200)
            #expect(try await search(api, "wording", token: alice).data.isEmpty)
            #expect(try await search(api, "rephrased", token: alice).data.map(\.message.id) == [message.id])

            #expect(try await api.request(.delete, "/v1/messages/\(message.id)", token: alice).status == 204)
            #expect(try await search(api, "rephrased", token: alice).data.isEmpty)
        }
    }

    @Test func filtersRepliesOrderAndPaging() async throws {
        try await ServerFixture.open().run { api in
            let (alice, aliceToken) = try await api.login("alice")
            let (bob, bobToken) = try await api.login("bob")
            let group = try await api.createGroup(token: aliceToken, members: ["bob"])
            let other = try await api.createGroup(token: aliceToken, members: ["bob"])
            var sent: [Message] = []
            for index in 0..<5 { sent.append(try await api.send("kiwi report", to: group.id, token: aliceToken)); _ = index }
            let reply = try await api.send("kiwi report", to: group.id, token: bobToken,
                                           extra: ["reply_to_id": .string(sent[0].id)])
            let elsewhere = try await api.send("kiwi report", to: other.id, token: bobToken)

            // Equal matches come newest first; thread replies are included.
            let all = try await search(api, "kiwi", token: aliceToken, extra: "&limit=100").data.map(\.message.id)
            #expect(all == [elsewhere.id, reply.id] + sent.reversed().map(\.id))

            #expect(try await search(api, "kiwi", token: aliceToken, extra: "&conversation_id=\(other.id)")
                .data.map(\.message.id) == [elsewhere.id])
            #expect(Set(try await search(api, "kiwi", token: aliceToken, extra: "&sender_id=\(bob.id)")
                .data.map(\.message.id)) == [elsewhere.id, reply.id])
            #expect(try await search(api, "kiwi", token: aliceToken, extra: "&sender_id=\(alice.id)").data.count == 5)
            let before = WireTime.format(sent[2].insertedAt)
            let early = try await search(api, "kiwi", token: aliceToken,
                                         extra: "&before=\(before.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? before)")
            #expect(early.data.map(\.message.id) == [sent[1].id, sent[0].id])

            // Pages of 3: 7 hits are 3 + 3 + 1, and together they are the whole list.
            var pages: [[String]] = []
            var cursor: String?
            repeat {
                let page = try await search(api, "kiwi", token: aliceToken,
                                            extra: "&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                pages.append(page.data.map(\.message.id))
                cursor = page.nextCursor
            } while cursor != nil
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(pages.flatMap { $0 } == all)
        }
    }

    @Test func aCommonQueryIsRankedAmongItsNewestMatches() async throws {
        try await ServerFixture.open { $0.limits.maxSearchCandidates = 3 }.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            // The best match is the oldest; with room for three candidates it is not ranked.
            _ = try await api.send("plum plum plum", to: group.id, token: alice)
            _ = try await api.send("plum", to: group.id, token: alice)
            var newest: [String] = []
            for index in 0..<3 {
                newest.append(try await api.send("a plum among other words \(index)", to: group.id, token: alice).id)
            }
            let ids = try await search(api, "plum", token: alice).data.map(\.message.id)
            #expect(Set(ids) == Set(newest))
        }
    }

    @Test func badQueriesAreRefusedClearly() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            try await api.request(.get, "/v1/search/messages", token: alice).expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=%20%21%3F", token: alice).expectError(422, "validation_failed")
            let long = String(repeating: "a", count: 257)
            try await api.request(.get, "/v1/search/messages?q=\(long)", token: alice).expectError(422, "validation_failed")
            let many = (0..<17).map { "w\($0)" }.joined(separator: "%20")
            try await api.request(.get, "/v1/search/messages?q=\(many)", token: alice).expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=a&limit=101", token: alice).expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=a&cursor=nonsense!", token: alice)
                .expectError(422, "validation_failed")
            let deep = SearchService.cursor(offset: 990)
            try await api.request(.get, "/v1/search/messages?q=a&cursor=\(deep)&limit=20", token: alice)
                .expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=a&conversation_id=nope", token: alice)
                .expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=a&before=yesterday", token: alice)
                .expectError(422, "validation_failed")
            try await api.request(.get, "/v1/search/messages?q=a").expectError(401, "unauthorized")
        }
    }
}

@Suite("Search query parsing and highlights")
struct SearchQueryTests {
    @Test func wordsPhrasesAndThePrefix() throws {
        let query = try #require(SearchQuery("Hello \"big  World\" e-mail caf"))
        #expect(query.parts == [
            .init(words: ["hello"], prefix: false), .init(words: ["big", "world"], prefix: false),
            .init(words: ["e", "mail"], prefix: false), .init(words: ["caf"], prefix: true),
        ])
        #expect(query.fts5Expression == "\"hello\" \"big world\" \"e mail\" \"caf\" *")
        // A trailing phrase is not a prefix; an unclosed quote runs to the end.
        #expect(try #require(SearchQuery("\"open phrase")).parts == [.init(words: ["open", "phrase"], prefix: false)])
        #expect(SearchQuery("  !? 🎉 ") == nil)
        #expect(SearchQuery("\"\"") == nil)
    }

    @Test func cjkBecomesAPhraseOfCharacters() throws {
        let query = try #require(SearchQuery("東京タワー"))
        #expect(query.parts == [.init(words: ["東", "京", "タ", "ワ", "ー"], prefix: true)])
        #expect(query.fts5Expression == "\"東 京 タ ワ ー\" *")
        #expect(try #require(SearchQuery("abc東京")).parts == [.init(words: ["abc", "東", "京"], prefix: true)])
        #expect(SearchText.indexText("在東京") == " 在  東  京 ")
        #expect(SearchText.indexText("plain") == "plain")
    }

    @Test func highlightsAreMergedUTF16Ranges() throws {
        let body = "🎉 Café café, CAFÉS and cafeteria"
        let query = try #require(SearchQuery("cafe"))
        let ranges = SearchHighlighter.highlights(of: query, in: body)
        let text = NSString(string: body)
        #expect(ranges.map { text.substring(with: NSRange(location: $0.start, length: $0.end - $0.start)) }
                == ["Café", "café", "CAFÉS", "cafeteria"])
        let phrase = try #require(SearchQuery("\"big world\" x"))
        #expect(SearchHighlighter.highlights(of: phrase, in: "a big world, big worlds") == [SearchHighlight(start: 2, end: 11)])
    }
}

@Suite("Search index text")
struct SearchTextTests {
    @Test func onlyTextThatMayHoldCJKIsDecoded() {
        func may(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { SearchText.mayContainCJK(utf8: $0) }
        }
        #expect(!may("plain ascii"))
        #expect(!may("Grüezi, ça va? Ελληνικά русский"))
        #expect(may("東京"))
        #expect(may("ｶﾀｶﾅ"))
        #expect(may("한국어"))
        // Every CJK range starts at or above U+3040, whose UTF-8 lead byte is 0xE3.
        for range in SearchText.cjkRanges {
            let scalar = Unicode.Scalar(range.lowerBound).map { String($0) } ?? ""
            #expect(may(scalar), "\(range)")
        }
    }
}
