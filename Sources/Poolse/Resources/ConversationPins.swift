/// A conversation's pinned messages (`chat.conversations.one(id).pins`).
///
/// Owners and admins may pin; when the conversation's `settings` has `"pin_policy": "members"`,
/// every member may. At most 50 pins per conversation (``APIError`` with code
/// `pin_limit_reached`); a deleted message loses its pin.
public struct ConversationPins: Sendable {
    /// The conversation id.
    public let conversationID: String
    let rest: RESTClient

    /// Pins one of the conversation's messages and returns it with `pinnedAt` and `pinnedBy`.
    /// Pinning a pinned message changes nothing. `POST /v1/messages/:id/pin`.
    @discardableResult
    public func pin(_ messageID: String) async throws -> Message {
        try await rest.request(.post, "/v1/messages/" + RequestURL.segment(messageID) + "/pin")
    }

    /// Removes a message's pin and returns the message. `DELETE /v1/messages/:id/pin`.
    @discardableResult
    public func unpin(_ messageID: String) async throws -> Message {
        try await rest.request(.delete, "/v1/messages/" + RequestURL.segment(messageID) + "/pin")
    }

    /// Every pinned message, newest pin first. `GET /v1/conversations/:id/pins`.
    public func list() async throws -> [Message] {
        let page: DataList<Message> = try await rest.request(
            .get, "/v1/conversations/" + RequestURL.segment(conversationID) + "/pins")
        return page.data
    }
}
