import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// PROTOCOL.md §4.1: `mentions` name members of the conversation. Anyone else is refused with
/// 422 and nothing is stored, whoever they are (a user of another tenant gets the same answer
/// as an unknown id, so the refusal leaks nothing).
@Suite("Mentions")
struct MentionRuleTests {
    @Test func onlyMembersCanBeMentioned() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let (bob, _) = try await api.login("bob")
            let (outsider, _) = try await api.login("outsider")
            let (stranger, _) = try await api.login("stranger", apiKey: try await api.server.makeTenant())
            let group = try await api.createGroup(token: alice, members: ["bob"])
            let path = "/v1/conversations/\(group.id)/messages"
            for refused in [outsider.id, stranger.id, UUID().uuidString.lowercased()] {
                let answer = try await api.request(.post, path, token: alice,
                                                   json: ["body": "hey", "mentions": [.string(bob.id), .string(refused)]])
                answer.expectError(422, "validation_failed")
                #expect(answer.json.objectValue?["error"]?.objectValue?["details"]?.objectValue?["mentions"] != nil)
            }
            #expect(try await api.request(.get, path, token: alice).decode(DataList<Message>.self).data.isEmpty)
            let sent = try await api.send("hey", to: group.id, token: alice, extra: ["mentions": [.string(bob.id)]])
            #expect(sent.mentions == [bob.id])
        }
    }
}
