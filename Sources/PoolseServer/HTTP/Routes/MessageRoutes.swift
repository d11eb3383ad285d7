import PoolseWire

/// PROTOCOL.md §4 and §4.1: messages, threads, reactions and read cursors.
enum MessageRoutes {
    static func specs(_ messages: MessageService, limits: Limits, metrics: ServerMetrics) -> [RouteSpec] {
        let sequences = Int64(0)...Int64.max
        return [
            RouteSpec(method: .get, path: "/v1/conversations/:id/messages", auth: .userToken, rateClass: .reads) { req in
                let id = try req.uuid("id")
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxPageSize)).map(Int.init)
                    ?? limits.defaultPageSize
                let before = try req.integerQuery("before", in: sequences)
                let after = try req.integerQuery("after", in: sequences)
                if before != nil, after != nil {
                    throw ServiceError.validation("after", "can't be combined with before")
                }
                if let after {
                    return try .list(await messages.catchUp(conversationId: id, after: after, limit: limit, for: req.user))
                }
                return try .list(await messages.feed(conversationId: id, before: before, limit: limit, for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/messages", auth: .userToken, rateClass: .writes) { req in
                let id = try req.uuid("id")
                let body = try req.decode(MessageCreateRequest.self)
                return try await req.respond({ (sent: MessageService.Sent) in
                    .encodedJSON(sent.json, status: sent.created ? 201 : 200)
                }) {
                    let sent = try await messages.send(conversationId: id, body, by: req.user)
                    if sent.created { metrics.messagesPersisted.increment() }
                    return sent
                }
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/read", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(MarkReadRequest.self)
                guard let messageId = IDs.canonical(body.messageId) else {
                    throw ServiceError.validation("message_id", "is not a valid UUID")
                }
                let id = try req.uuid("id")
                return try await req.respond({ .noContent }) {
                    try await messages.markRead(conversationId: id, messageId: messageId, by: req.user)
                }
            },
            RouteSpec(method: .patch, path: "/v1/messages/:id", auth: .userToken, rateClass: .writes) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(MessageUpdateRequest.self).body)
                return try await req.respond({ (message: Message) in try .json(message) }) {
                    try await messages.edit(messageId: id, body: body, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/messages/:id", auth: .userOrAPIKey, rateClass: .writes) { req in
                let id = try req.uuid("id")
                return try await req.respond({ .noContent }) { try await messages.delete(messageId: id, by: req.caller) }
            },
            RouteSpec(method: .get, path: "/v1/messages/:id/replies", auth: .userToken, rateClass: .reads) { req in
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxRepliesPageSize)).map(Int.init)
                    ?? limits.defaultRepliesPageSize
                return try .list(await messages.replies(messageId: req.uuid("id"),
                                                        after: req.integerQuery("after", in: sequences),
                                                        limit: limit, for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/messages/:id/reactions", auth: .userToken, rateClass: .writes) { req in
                let (id, emoji) = (try req.uuid("id"), try req.decode(ReactionRequest.self).emoji)
                return try await req.respond({ (message: Message) in try .json(message) }) {
                    try await messages.react(messageId: id, emoji: emoji, adding: true, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/messages/:id/reactions/:emoji", auth: .userToken,
                      rateClass: .writes) { req in
                let (id, raw) = (try req.uuid("id"), try req.parameter("emoji"))
                return try await req.respond({ (message: Message) in try .json(message) }) {
                    try await messages.react(messageId: id, emoji: raw.removingPercentEncoding ?? raw, adding: false,
                                             by: req.user)
                }
            },
        ]
    }
}
