import PoolseWire

/// The tenant's push providers, called with the API key: set, show (never the keys), remove.
enum PushSettingsRoutes {
    static func specs(_ sender: ProviderPushSender) -> [RouteSpec] {
        let settings = sender.settings
        return [
            RouteSpec(method: .get, path: "/v1/tenant/push", auth: .apiKey, rateClass: .admin) { req in
                try .json(await settings.view(tenantId: req.tenantId))
            },
            RouteSpec(method: .put, path: "/v1/tenant/push/apns", auth: .apiKey, rateClass: .admin) { req in
                let (tenantId, body) = (try req.tenantId, try req.decode(APNsConfigurationRequest.self))
                let view = try await settings.configureAPNs(tenantId: tenantId, body)
                await sender.invalidate(tenantId: tenantId)
                return try .json(view)
            },
            RouteSpec(method: .put, path: "/v1/tenant/push/fcm", auth: .apiKey, rateClass: .admin) { req in
                let (tenantId, body) = (try req.tenantId, try req.decode(FCMConfigurationRequest.self))
                let view = try await settings.configureFCM(tenantId: tenantId, body)
                await sender.invalidate(tenantId: tenantId)
                return try .json(view)
            },
            RouteSpec(method: .delete, path: "/v1/tenant/push/apns", auth: .apiKey, rateClass: .admin) { req in
                try await settings.remove(tenantId: req.tenantId, provider: PushSettings.apns)
                await sender.invalidate(tenantId: try req.tenantId)
                return .noContent
            },
            RouteSpec(method: .delete, path: "/v1/tenant/push/fcm", auth: .apiKey, rateClass: .admin) { req in
                try await settings.remove(tenantId: req.tenantId, provider: PushSettings.fcm)
                await sender.invalidate(tenantId: try req.tenantId)
                return .noContent
            },
        ]
    }
}
