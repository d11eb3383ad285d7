import PoolseWire

/// The tenant's own settings (API key). Today: whether pushes show message text.
enum TenantSettingsRoutes {
    static func specs(store: Store, committer: ChangeCommitter) -> [RouteSpec] {
        [
            RouteSpec(method: .get, path: "/v1/tenant/settings", auth: .apiKey, rateClass: .admin) { req in
                let tenantId = try req.tenantId
                return try .json(TenantSettings(pushPreview: try await store.read { try await $0.pushPreview(tenantId: tenantId) }))
            },
            RouteSpec(method: .patch, path: "/v1/tenant/settings", auth: .apiKey, rateClass: .admin) { req in
                let (tenantId, body) = (try req.tenantId, try req.decode(TenantSettingsUpdateRequest.self))
                return try await req.respond({ (settings: TenantSettings) in try .json(settings) }) {
                    try await committer.commit(lane: nil) { q in
                        if let preview = body.pushPreview { try await q.setPushPreview(preview, tenantId: tenantId) }
                        return Change(TenantSettings(pushPreview: try await q.pushPreview(tenantId: tenantId)))
                    }
                }
            },
        ]
    }
}
