import Foundation
import Poolse
import PoolseServer
import Testing
import PoolseTestSupport

/// The SDK's safety surface (issue 13) against a real server on loopback.
@Suite("SDK ↔ server, safety")
struct SDKSafetyEndToEndTests {
    @Test func blockReportMuteAndBanThroughTheSDK() async throws {
        try await ServerFixture.run { server in
            let ann = server.client(for: "ann")
            let ben = server.client(for: "ben")
            let benId = try await ben.me.show().id
            let group = try await ann.conversations.create(.init(type: .group, memberExternalIds: ["ben", "carol"]))
            let direct = try await ben.conversations.create(.init(type: .direct, memberExternalIds: ["ann"]))

            // Block: the blocked user's direct messages are refused with a typed code.
            let block = try await ann.me.blocks.block(benId)
            #expect(block.userId == benId)
            #expect(try await ann.me.blocks.list().data.map(\.userId) == [benId])
            await #expect {
                _ = try await ben.conversations.one(direct.id).messages.send(.init(body: "hi"))
            } throws: { error in
                (error as? APIError)?.is(.blocked) == true
            }
            try await ann.me.blocks.unblock(benId)
            #expect(try await ann.me.blocks.list().data.isEmpty)

            // Report a message; the report keeps its body.
            let message = try await ben.conversations.one(group.id).messages.send(.init(body: "rude words"))
            let report = try await ann.reports.report(message: message.id, reason: .harassment, note: "please look")
            #expect(report.messageBody == "rude words")
            #expect(report.status == .open)
            let userReport = try await ann.reports.report(user: benId, reason: .spam)
            #expect(userReport.userId == benId)

            // Mute and unmute.
            let until = Date(timeIntervalSinceNow: 3600)
            let muted = try await ben.conversations.one(group.id).mute(until: until)
            #expect(abs((muted.mutedUntil ?? .distantPast).timeIntervalSince(until)) < 1)
            #expect(try await ben.conversations.one(group.id).unmute().mutedUntil == nil)

            // Bans and freeze, by the owner.
            let handle = ann.conversations.one(group.id)
            let ban = try await handle.bans.ban(benId, reason: "spam")
            #expect(ban.userId == benId)
            #expect(try await handle.bans.list().data.map(\.userId) == [benId])
            await #expect {
                _ = try await handle.addMember("ben")
            } throws: { error in
                (error as? APIError)?.errorCode == .banned
            }
            try await handle.bans.unban(benId)
            #expect(try await handle.bans.list().data.isEmpty)
            #expect(try await handle.update(.init(frozen: true)).frozen)
            let carol = server.client(for: "carol")
            await #expect {
                _ = try await carol.conversations.one(group.id).messages.send(.init(body: "x"))
            } throws: { error in
                (error as? APIError)?.is(.conversationFrozen) == true
            }
        }
    }
}
