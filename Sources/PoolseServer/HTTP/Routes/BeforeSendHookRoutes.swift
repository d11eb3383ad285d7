import PoolseWire

/// The tenant's before-send hook, called with the API key: set (the answer shows the secret,
/// once), show (without it), remove.
enum BeforeSendHookRoutes {
    static let path = "/v1/tenant/hooks/before-send"

    static func specs(_ hook: BeforeSendHook) -> [RouteSpec] {
        guard let settings = hook.settings else { return [] }
        return [
            RouteSpec(method: .put, path: path, auth: .apiKey, rateClass: .admin) { req in
                let (tenantId, body) = (try req.tenantId, try req.decode(BeforeSendHookRequest.self))
                return try .json(await settings.configure(tenantId: tenantId, body))
            },
            RouteSpec(method: .get, path: path, auth: .apiKey, rateClass: .admin) { req in
                guard let view = try await settings.view(tenantId: req.tenantId) else {
                    throw ServiceError.notFound("before-send hook")
                }
                return try .json(view)
            },
            RouteSpec(method: .delete, path: path, auth: .apiKey, rateClass: .admin) { req in
                try await settings.remove(tenantId: req.tenantId)
                return .noContent
            },
        ]
    }
}
