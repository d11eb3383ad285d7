import PoolseWire

/// PROTOCOL.md §4: the caller, conversations and members.
enum ConversationRoutes {
    static func specs(_ conversations: ConversationService) -> [RouteSpec] {
        [
            RouteSpec(method: .get, path: "/v1/me", auth: .userToken, rateClass: .reads) { req in
                try .json(req.user.user)
            },
            RouteSpec(method: .get, path: "/v1/conversations", auth: .userToken, rateClass: .reads) { req in
                try .list(await conversations.list(for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/conversations", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(ConversationCreateRequest.self)
                return try await req.respond({ (result: (Conversation, created: Bool)) in
                    try .json(result.0, status: result.created ? 201 : 200)
                }) { try await conversations.create(body, by: req.user) }
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id", auth: .userToken, rateClass: .reads) { req in
                try .json(await conversations.show(id: req.uuid("id"), for: req.user))
            },
            RouteSpec(method: .patch, path: "/v1/conversations/:id", auth: .userOrAPIKey, rateClass: .writes) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(ConversationUpdateRequest.self))
                return try await req.respond({ (conversation: Conversation) in try .json(conversation) }) {
                    try await conversations.update(id: id, body, by: req.caller)
                }
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id/members", auth: .userToken, rateClass: .reads) { req in
                try .list(await conversations.members(conversationId: req.uuid("id"), for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/members", auth: .userToken, rateClass: .writes) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(AddMembersRequest.self))
                return try await req.respond({ (members: [Membership]) in try .list(members) }) {
                    try await conversations.addMembers(conversationId: id, body, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/conversations/:id/members/:user_id", auth: .userToken,
                      rateClass: .writes) { req in
                let (id, userId) = (try req.uuid("id"), try req.uuid("user_id"))
                return try await req.respond({ .noContent }) {
                    try await conversations.removeMember(conversationId: id, userId: userId, by: req.user)
                }
            },
        ]
    }
}
