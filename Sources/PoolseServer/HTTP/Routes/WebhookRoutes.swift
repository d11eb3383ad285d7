import PoolseWire

/// The tenant's webhook endpoints and their deliveries (API key).
enum WebhookRoutes {
    static func specs(_ webhooks: WebhookService, limits: Limits) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/webhooks", auth: .apiKey, rateClass: .admin) { req in
                let body = try req.decode(WebhookCreateRequest.self)
                return try await req.respond({ (endpoint: WebhookEndpoint) in try .json(endpoint, status: 201) }) {
                    try await webhooks.create(body, tenantId: req.tenantId)
                }
            },
            RouteSpec(method: .get, path: "/v1/webhooks", auth: .apiKey, rateClass: .admin) { req in
                try .list(await webhooks.list(tenantId: req.tenantId))
            },
            RouteSpec(method: .get, path: "/v1/webhooks/:id", auth: .apiKey, rateClass: .admin) { req in
                try .json(await webhooks.get(id: req.uuid("id"), tenantId: req.tenantId))
            },
            RouteSpec(method: .patch, path: "/v1/webhooks/:id", auth: .apiKey, rateClass: .admin) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(WebhookUpdateRequest.self))
                return try await req.respond({ (endpoint: WebhookEndpoint) in try .json(endpoint) }) {
                    try await webhooks.update(id: id, body, tenantId: req.tenantId)
                }
            },
            RouteSpec(method: .delete, path: "/v1/webhooks/:id", auth: .apiKey, rateClass: .admin) { req in
                let id = try req.uuid("id")
                return try await req.respond({ .noContent }) { try await webhooks.delete(id: id, tenantId: req.tenantId) }
            },
            RouteSpec(method: .get, path: "/v1/webhooks/:id/deliveries", auth: .apiKey, rateClass: .admin) { req in
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxPageSize)).map(Int.init)
                    ?? limits.defaultPageSize
                return try .list(await webhooks.deliveries(webhookId: req.uuid("id"), tenantId: req.tenantId,
                                                           cursor: req.query["cursor"], limit: limit))
            },
            RouteSpec(method: .post, path: "/v1/webhooks/:id/deliveries/:delivery_id/retry", auth: .apiKey,
                      rateClass: .admin) { req in
                let (id, deliveryId) = (try req.uuid("id"), try req.uuid("delivery_id"))
                return try await req.respond({ (delivery: WebhookDelivery) in try .json(delivery, status: 202) }) {
                    try await webhooks.retry(webhookId: id, deliveryId: deliveryId, tenantId: req.tenantId)
                }
            },
        ]
    }
}
