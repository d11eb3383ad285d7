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
                let sent = try await messages.send(
                    conversationId: req.uuid("id"), req.decode(MessageCreateRequest.self), by: req.user)
                if sent.created { metrics.messagesPersisted.increment() }
                return .encodedJSON(sent.json, status: sent.created ? 201 : 200)
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/read", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(MarkReadRequest.self)
                guard let messageId = IDs.canonical(body.messageId) else {
                    throw ServiceError.validation("message_id", "is not a valid UUID")
                }
                try await messages.markRead(conversationId: req.uuid("id"), messageId: messageId, by: req.user)
                return .noContent
            },
            RouteSpec(method: .patch, path: "/v1/messages/:id", auth: .userToken, rateClass: .writes) { req in
                try .json(await messages.edit(messageId: req.uuid("id"), body: req.decode(MessageUpdateRequest.self).body,
                                              by: req.user))
            },
            RouteSpec(method: .delete, path: "/v1/messages/:id", auth: .userToken, rateClass: .writes) { req in
                try await messages.delete(messageId: req.uuid("id"), by: req.user)
                return .noContent
            },
            RouteSpec(method: .get, path: "/v1/messages/:id/replies", auth: .userToken, rateClass: .reads) { req in
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxRepliesPageSize)).map(Int.init)
                    ?? limits.defaultRepliesPageSize
                return try .list(await messages.replies(messageId: req.uuid("id"),
                                                        after: req.integerQuery("after", in: sequences),
                                                        limit: limit, for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/messages/:id/reactions", auth: .userToken, rateClass: .writes) { req in
                try .json(await messages.react(messageId: req.uuid("id"), emoji: req.decode(ReactionRequest.self).emoji,
                                               adding: true, by: req.user))
            },
            RouteSpec(method: .delete, path: "/v1/messages/:id/reactions/:emoji", auth: .userToken,
                      rateClass: .writes) { req in
                let emoji = try req.parameter("emoji")
                return try .json(await messages.react(messageId: req.uuid("id"), emoji: emoji.removingPercentEncoding ?? emoji,
                                                      adding: false, by: req.user))
            },
        ]
    }
}
