import Foundation

/// Full-text search (`chat.search`).
public struct SearchResource: Sendable {
    let rest: RESTClient

    /// One page of messages matching `query`, best match first (then newest), from every
    /// conversation you are a member of. `GET /v1/search/messages`.
    ///
    /// Query syntax: words (all must match; the last one also as a prefix, for search as you
    /// type) and `"exact phrases"`. Case and accents are ignored; Chinese, Japanese and Korean
    /// text matches any substring. Each hit's `highlights` are UTF-16 ranges of `message.body`.
    /// - Parameters:
    ///   - conversationID: Only this conversation.
    ///   - senderID: Only messages from this user (poolse user id).
    ///   - before: Only messages sent before this time.
    ///   - limit: Hits per page; nil is the server's default (20, at most 100).
    ///   - cursor: The previous page's `nextCursor`.
    public func messages(_ query: String, in conversationID: String? = nil, from senderID: String? = nil,
                         before: Date? = nil, limit: Int? = nil, cursor: String? = nil) async throws -> MessageSearchPage {
        try await rest.request(.get, "/v1/search/messages", query: Self.queryItems(
            query, conversationID: conversationID, senderID: senderID, before: before, limit: limit, cursor: cursor))
    }

    /// Every page of a search, fetched one at a time as you iterate:
    /// `for try await page in chat.search.messagePages("invoice") { … }`. Stops after the last
    /// page (the server pages at most 1,000 hits deep).
    public func messagePages(_ query: String, in conversationID: String? = nil, from senderID: String? = nil,
                             before: Date? = nil, limit: Int? = nil) -> MessageSearchPages {
        MessageSearchPages { cursor in
            try await messages(query, in: conversationID, from: senderID, before: before, limit: limit, cursor: cursor)
        }
    }

    static func queryItems(_ query: String, conversationID: String?, senderID: String?, before: Date?, limit: Int?,
                           cursor: String?) -> [URLQueryItem] {
        var items = [URLQueryItem(name: "q", value: query)]
        if let conversationID { items.append(URLQueryItem(name: "conversation_id", value: conversationID)) }
        if let senderID { items.append(URLQueryItem(name: "sender_id", value: senderID)) }
        if let before { items.append(URLQueryItem(name: "before", value: WireTime.format(before))) }
        if let limit { items.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        return items
    }
}

/// The pages of one search as an `AsyncSequence`; each step is one request, made when the
/// loop asks for the next page.
public struct MessageSearchPages: AsyncSequence, Sendable {
    public typealias Element = MessageSearchPage
    let fetch: @Sendable (String?) async throws -> MessageSearchPage

    /// Iterates the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetch: @Sendable (String?) async throws -> MessageSearchPage
        var cursor: String?
        var finished = false

        /// The next page, or nil after the last one.
        public mutating func next() async throws -> MessageSearchPage? {
            guard !finished else { return nil }
            let page = try await fetch(cursor)
            cursor = page.nextCursor
            finished = page.nextCursor == nil
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fetch: fetch) }
}
