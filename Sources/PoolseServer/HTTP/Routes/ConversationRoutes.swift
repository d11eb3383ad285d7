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
                let (conversation, created) = try await conversations.create(
                    req.decode(ConversationCreateRequest.self), by: req.user)
                return try .json(conversation, status: created ? 201 : 200)
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id", auth: .userToken, rateClass: .reads) { req in
                try .json(await conversations.show(id: req.uuid("id"), for: req.user))
            },
            RouteSpec(method: .patch, path: "/v1/conversations/:id", auth: .userToken, rateClass: .writes) { req in
                try .json(await conversations.update(id: req.uuid("id"), req.decode(ConversationUpdateRequest.self),
                                                     by: req.user))
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id/members", auth: .userToken, rateClass: .reads) { req in
                try .list(await conversations.members(conversationId: req.uuid("id"), for: req.user))
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/members", auth: .userToken, rateClass: .writes) { req in
                try .list(await conversations.addMembers(conversationId: req.uuid("id"),
                                                         req.decode(AddMembersRequest.self), by: req.user))
            },
            RouteSpec(method: .delete, path: "/v1/conversations/:id/members/:user_id", auth: .userToken,
                      rateClass: .writes) { req in
                try await conversations.removeMember(conversationId: req.uuid("id"), userId: req.uuid("user_id"),
                                                     by: req.user)
                return .noContent
            },
        ]
    }
}
