import Foundation

/// One message, by id (`chat.messages.one(id)`).
public struct MessageHandle: Sendable {
    /// The message id.
    public let id: String
    let rest: RESTClient

    var path: String { "/v1/messages/" + RequestURL.segment(id) }

    /// Replaces the body (sender only); sets `editedAt`. A deleted message answers
    /// 409 `message_deleted`. `PATCH /v1/messages/:id` `{body}`.
    public func update(body: String) async throws -> Message {
        try await rest.request(.patch, path, body: MessageUpdateRequest(body: body))
    }

    /// Soft-deletes the message (sender, or owner/admin of the conversation): body and
    /// attachments go, a tombstone with `deletedAt` stays. `DELETE /v1/messages/:id`.
    public func delete() async throws {
        try await rest.request(.delete, path)
    }

    /// The thread under this message, **oldest first**.
    /// `GET /v1/messages/:id/replies?limit=&after=`
    /// - Parameters:
    ///   - limit: Page size; nil is the server's default (500: most threads in one page).
    ///   - after: Exclusive sequence: pass the newest reply's sequence for the next page.
    public func replies(limit: Int? = nil, after: Int64? = nil) async throws -> DataList<Message> {
        var query: [URLQueryItem] = []
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let after { query.append(URLQueryItem(name: "after", value: String(after))) }
        return try await rest.request(.get, path + "/replies", query: query)
    }

    /// Adds the caller's reaction (idempotent per user and emoji) and returns the
    /// message with its reactions. `POST /v1/messages/:id/reactions` `{emoji}`.
    public func addReaction(_ emoji: String) async throws -> Message {
        try await rest.request(.post, path + "/reactions", body: ReactionRequest(emoji: emoji))
    }

    /// Removes the caller's reaction; the emoji is percent-encoded into the path.
    /// `DELETE /v1/messages/:id/reactions/:emoji`.
    public func removeReaction(_ emoji: String) async throws -> Message {
        try await rest.request(.delete, path + "/reactions/" + RequestURL.segment(emoji))
    }
}
