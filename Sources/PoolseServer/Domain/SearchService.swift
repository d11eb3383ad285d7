import Foundation
import PoolseWire

/// Full-text search over the messages of the caller's conversations (`GET /v1/search/messages`).
struct SearchService: Sendable {
    let store: Store
    let limits: Limits
    var validate: Validation { Validation(limits: limits) }

    struct Request: Sendable {
        var query: String
        var conversationId: String?
        var senderId: String?
        var before: Date?
        var limit: Int
        var cursor: String?
    }

    func messages(_ request: Request, for caller: UserPrincipal) async throws -> MessageSearchPage {
        if request.query.count > limits.maxSearchQueryLength {
            throw DomainError.validation("q", "is longer than \(limits.maxSearchQueryLength) characters")
        }
        guard let query = SearchQuery(request.query) else { throw DomainError.validation("q", "has no words to search for") }
        if query.parts.count > limits.maxSearchTerms {
            throw DomainError.validation("q", "has more than \(limits.maxSearchTerms) words and phrases")
        }
        let offset = try request.cursor.map(Self.offset(fromCursor:)) ?? 0
        if offset + request.limit > limits.maxSearchDepth {
            throw DomainError.validation("cursor", "search results can be paged \(limits.maxSearchDepth) hits deep")
        }
        let criteria = MessageSearchCriteria(
            query: query, tenantId: caller.tenantId, callerId: caller.userId, conversationId: request.conversationId,
            senderId: request.senderId, before: request.before.map(WireTime.micros), limit: request.limit + 1,
            offset: offset, candidates: limits.maxSearchCandidates)
        let messages = try await store.read { q in
            try await q.messages(ids: q.searchMessageIds(criteria))
        }
        let page = messages.prefix(request.limit).map { message in
            MessageSearchHit(message: message, highlights: SearchHighlighter.highlights(of: query, in: message.body ?? ""))
        }
        // One hit more than asked says whether there is a next page.
        let next = messages.count > request.limit && offset + request.limit < limits.maxSearchDepth
            ? Self.cursor(offset: offset + request.limit) : nil
        return MessageSearchPage(data: Array(page), nextCursor: next)
    }

    /// Cursors are opaque to clients: the offset of the next page, base64url-encoded.
    static func cursor(offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func offset(fromCursor cursor: String) throws -> Int {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.count <= 32, let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("o:"),
              let offset = Int(text.dropFirst(2)), offset >= 0
        else { throw DomainError.validation("cursor", "is not a cursor this server returned") }
        return offset
    }
}
