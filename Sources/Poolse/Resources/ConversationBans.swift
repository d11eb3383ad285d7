import Foundation

/// Bans from one conversation (`handle.bans`), for its owner and admins. A banned user is
/// removed at once and can't be added back until the ban ends or is lifted.
public struct ConversationBans: Sendable {
    /// The conversation.
    public let conversationID: String
    let rest: RESTClient

    var path: String { "/v1/conversations/" + RequestURL.segment(conversationID) + "/bans" }

    /// Bans a user, for good or `until` a time. `POST /v1/conversations/:id/bans`.
    @discardableResult
    public func ban(_ userID: String, until: Date? = nil, reason: String? = nil) async throws -> Ban {
        try await rest.request(.post, path, body: BanRequest(userId: userID, until: until, reason: reason))
    }

    /// Lifts a ban (no error when there is none). `DELETE /v1/conversations/:id/bans/:user_id`.
    public func unban(_ userID: String) async throws {
        try await rest.request(.delete, path + "/" + RequestURL.segment(userID))
    }

    /// The bans in force, newest first. `GET /v1/conversations/:id/bans`.
    public func list() async throws -> DataList<Ban> {
        try await rest.request(.get, path)
    }
}
