import Foundation
import Testing

@testable import Poolse

/// The safety resources send the routes and bodies of the protocol.
@Suite("Safety resources")
struct SafetyResourceTests {
    @Test func blocksReportsMutesAndBansUseTheirRoutes() async throws {
        let transport = MockTransport(fallback: .json(200, "{}"))
        let chat = makeClient(transport)
        try await chat.me.blocks.unblock("u/1")
        _ = try? await chat.me.blocks.block("u-2")
        _ = try? await chat.reports.report(message: "m-1", reason: .spam, note: "n")
        _ = try? await chat.conversations.one("c-1").mute(until: nil)
        _ = try? await chat.conversations.one("c-1").unmute()
        _ = try? await chat.conversations.one("c-1").bans.ban("u-3", reason: "r")
        try await chat.conversations.one("c-1").bans.unban("u-3")
        let requests = await transport.requests
        #expect(requests.map(\.method) == [.delete, .post, .post, .put, .delete, .post, .delete])
        #expect(requests.map(\.url.path) == [
            "/v1/me/blocks/u%2F1", "/v1/me/blocks", "/v1/reports", "/v1/conversations/c-1/mute",
            "/v1/conversations/c-1/mute", "/v1/conversations/c-1/bans", "/v1/conversations/c-1/bans/u-3",
        ].map { $0.removingPercentEncoding ?? $0 })
        #expect(requests[1].jsonBody == ["user_id": "u-2"])
        #expect(requests[2].jsonBody == ["message_id": "m-1", "reason": "spam", "note": "n"])
        #expect(requests[5].jsonBody == ["user_id": "u-3", "reason": "r"])
    }

    @Test func errorCodesAreTyped() {
        let error = APIError(status: 403, code: "blocked", message: "no")
        #expect(error.is(.blocked))
        #expect(error.errorCode == .blocked)
        #expect(!error.is(.banned))
        #expect(APIError.Code.conversationFrozen.rawValue == "conversation_frozen")
        #expect(APIError.Code.rejectedByHook.rawValue == "rejected_by_hook")
    }
}
