import Foundation

/// One hit of `GET /v1/search/messages`: the message and where the query matched its body.
public struct MessageSearchHit: Codable, Hashable, Sendable {
    /// The matching message (never a tombstone).
    public var message: Message
    /// The matched ranges of `message.body`, in order, not overlapping.
    public var highlights: [SearchHighlight]

    /// Creates a hit.
    public init(message: Message, highlights: [SearchHighlight]) {
        self.message = message
        self.highlights = highlights
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        message = try c.decode(Message.self, forKey: .message)
        highlights = try c.decodeIfPresent([SearchHighlight].self, forKey: .highlights) ?? []
    }
}

/// A matched range of a message body, in UTF-16 code units (what `NSRange` and JavaScript
/// strings count): `start` inclusive, `end` exclusive.
public struct SearchHighlight: Codable, Hashable, Sendable {
    /// First matched UTF-16 offset.
    public var start: Int
    /// One past the last matched UTF-16 offset.
    public var end: Int

    /// Creates a range.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// A page of search hits; `nextCursor` fetches the next page (nil on the last one).
public struct MessageSearchPage: Codable, Hashable, Sendable {
    /// The hits, best match first, then newest.
    public var data: [MessageSearchHit]
    /// Pass as `cursor` for the next page; nil when there is none.
    public var nextCursor: String?

    /// Creates a page.
    public init(data: [MessageSearchHit], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decodeIfPresent([MessageSearchHit].self, forKey: .data) ?? []
        nextCursor = try c.decodeIfPresent(String.self, forKey: .nextCursor)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
