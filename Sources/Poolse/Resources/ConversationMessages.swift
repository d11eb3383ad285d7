import Foundation

/// The messages of one conversation (`chat.conversations.one(id).messages`).
public struct ConversationMessages: Sendable {
    /// The conversation id.
    public let conversationID: String
    let rest: RESTClient

    var path: String { "/v1/conversations/" + RequestURL.segment(conversationID) }

    /// A page of the main feed, or a catch-up after a disconnect.
    ///
    /// - Without `after`: newest first by `sequence`, thread replies left out. Pass the
    ///   oldest sequence you hold as `before` to load older messages.
    /// - With `after`: every message with `sequence > after`, thread replies included,
    ///   **oldest first**: what a client missed while offline.
    ///
    /// `GET /v1/conversations/:id/messages?limit=&before=&after=`
    /// - Parameters:
    ///   - limit: Page size; nil is the server's default (50, at most 200).
    ///   - before: Exclusive upper sequence for paging backwards.
    ///   - after: Exclusive lower sequence for catching up.
    /// - Throws: ``InvalidRequestError`` (without sending anything) when both `before`
    ///   and `after` are given: they page in opposite directions.
    public func list(limit: Int? = nil, before: Int64? = nil, after: Int64? = nil) async throws
        -> DataList<Message>
    {
        if before != nil, after != nil {
            throw InvalidRequestError(message: "messages.list takes `before` or `after`, not both")
        }
        var query: [URLQueryItem] = []
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let before { query.append(URLQueryItem(name: "before", value: String(before))) }
        if let after { query.append(URLQueryItem(name: "after", value: String(after))) }
        return try await rest.request(.get, path + "/messages", query: query)
    }

    /// Sends a message. When `attributes.id` is nil the SDK fills in a new lowercase
    /// UUID, so a resend of the same call (or the realtime echo) matches your
    /// optimistic copy instead of duplicating it. `POST /v1/conversations/:id/messages`.
    public func send(_ attributes: MessageCreateRequest) async throws -> Message {
        var attributes = attributes
        if attributes.id == nil { attributes.id = UUID().uuidString.lowercased() }
        return try await rest.request(.post, path + "/messages", body: attributes)
    }

    /// Moves the caller's read cursor forward to `messageID` (it never moves back).
    /// `POST /v1/conversations/:id/read` `{message_id}`.
    public func markRead(_ messageID: String) async throws {
        try await rest.request(.post, path + "/read", body: MarkReadRequest(messageId: messageID))
    }
}
