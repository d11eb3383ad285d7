/// The users the caller blocks (`chat.me.blocks`). While you block a user, they can't start
/// or write in a direct conversation with you, and their messages, typing and mentions are
/// left out of what you receive; they are not told.
public struct BlocksResource: Sendable {
    let rest: RESTClient

    /// Blocks a user by poolse user id. `POST /v1/me/blocks`.
    @discardableResult
    public func block(_ userID: String) async throws -> Block {
        try await rest.request(.post, "/v1/me/blocks", body: BlockRequest(userId: userID))
    }

    /// Lifts a block (no error when there is none). `DELETE /v1/me/blocks/:user_id`.
    public func unblock(_ userID: String) async throws {
        try await rest.request(.delete, "/v1/me/blocks/" + RequestURL.segment(userID))
    }

    /// The users you block, newest first. `GET /v1/me/blocks`.
    public func list() async throws -> DataList<Block> {
        try await rest.request(.get, "/v1/me/blocks")
    }
}
