import PoolseWire

/// PROTOCOL.md §3: tenant-admin routes, called with an API key.
enum AdminRoutes {
    static func specs(_ users: UserService) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/users", auth: .apiKey, rateClass: .admin) { req in
                let (user, created) = try await users.create(req.decode(UserCreateRequest.self), tenantId: req.tenantId)
                return try .json(user, status: created ? 201 : 200)
            },
            RouteSpec(method: .get, path: "/v1/users/:user_id", auth: .apiKey, rateClass: .admin) { req in
                try .json(await users.get(id: req.uuid("user_id"), tenantId: req.tenantId))
            },
            RouteSpec(method: .patch, path: "/v1/users/:user_id", auth: .apiKey, rateClass: .admin) { req in
                try .json(await users.update(id: req.uuid("user_id"), tenantId: req.tenantId,
                                             req.decode(UserUpdateRequest.self)))
            },
            RouteSpec(method: .post, path: "/v1/users/:user_id/tokens", auth: .apiKey, rateClass: .admin) { req in
                let body = try req.decodeIfPresent(TokenRequest.self, default: TokenRequest())
                return try .json(await users.mintToken(userId: req.uuid("user_id"), tenantId: req.tenantId,
                                                       ttlSeconds: body.ttlSeconds), status: 201)
            },
        ]
    }
}
