import PoolseWire

/// PROTOCOL.md §3: tenant-admin routes, called with an API key.
enum AdminRoutes {
    static func specs(_ users: UserService) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/users", auth: .apiKey, rateClass: .admin) { req in
                let body = try req.decode(UserCreateRequest.self)
                return try await req.respond({ (result: (User, created: Bool)) in
                    try .json(result.0, status: result.created ? 201 : 200)
                }) { try await users.create(body, tenantId: req.tenantId) }
            },
            RouteSpec(method: .get, path: "/v1/users/:user_id", auth: .apiKey, rateClass: .admin) { req in
                try .json(await users.get(id: req.uuid("user_id"), tenantId: req.tenantId))
            },
            RouteSpec(method: .patch, path: "/v1/users/:user_id", auth: .apiKey, rateClass: .admin) { req in
                let (id, body) = (try req.uuid("user_id"), try req.decode(UserUpdateRequest.self))
                return try await req.respond({ (user: User) in try .json(user) }) {
                    try await users.update(id: id, tenantId: req.tenantId, body)
                }
            },
            RouteSpec(method: .post, path: "/v1/users/:user_id/tokens", auth: .apiKey, rateClass: .admin) { req in
                let body = try req.decodeIfPresent(TokenRequest.self, default: TokenRequest())
                return try .json(await users.mintToken(userId: req.uuid("user_id"), tenantId: req.tenantId,
                                                       ttlSeconds: body.ttlSeconds), status: 201)
            },
        ]
    }
}
