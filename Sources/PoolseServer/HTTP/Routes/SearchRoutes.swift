import Foundation
import PoolseWire

/// Full-text message search.
enum SearchRoutes {
    static func specs(_ search: SearchService, limits: Limits) -> [RouteSpec] {
        [
            RouteSpec(method: .get, path: "/v1/search/messages", auth: .userToken, rateClass: .reads) { req in
                guard let text = req.query["q"] else { throw ServiceError.validation("q", "can't be blank") }
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxSearchPageSize)).map(Int.init)
                    ?? limits.defaultSearchPageSize
                var before: Date?
                if let raw = req.query["before"] {
                    guard let micros = WireTime.parseMicros(raw) else {
                        throw ServiceError.validation("before", "is not an RFC 3339 time")
                    }
                    before = WireTime.date(micros: micros)
                }
                let request = SearchService.Request(
                    query: text, conversationId: try uuidQuery(req, "conversation_id"),
                    senderId: try uuidQuery(req, "sender_id"), before: before, limit: limit, cursor: req.query["cursor"])
                return try .json(await search.messages(request, for: req.user))
            },
        ]
    }

    private static func uuidQuery(_ req: APIRequest, _ name: String) throws -> String? {
        guard let raw = req.query[name] else { return nil }
        guard let id = IDs.canonical(raw) else { throw ServiceError.validation(name, "is not a valid UUID") }
        return id
    }
}
