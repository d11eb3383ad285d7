import PoolseWire

/// Blocks, mutes, reports and bans (the safety surface), and the operator's bulk deletion.
enum SafetyRoutes {
    static func specs(_ safety: SafetyService, messages: MessageService, limits: Limits) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/me/blocks", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(BlockRequest.self)
                return try await req.respond({ (block: Block) in try .json(block, status: 201) }) {
                    try await safety.block(body, by: req.user)
                }
            },
            RouteSpec(method: .get, path: "/v1/me/blocks", auth: .userToken, rateClass: .reads) { req in
                try .list(await safety.blocks(of: req.user))
            },
            RouteSpec(method: .delete, path: "/v1/me/blocks/:user_id", auth: .userToken, rateClass: .writes) { req in
                let userId = try req.uuid("user_id")
                return try await req.respond({ .noContent }) { try await safety.unblock(userId: userId, by: req.user) }
            },
            RouteSpec(method: .put, path: "/v1/conversations/:id/mute", auth: .userToken, rateClass: .writes) { req in
                let (id, body) = (try req.uuid("id"), try req.decodeIfPresent(MuteRequest.self, default: MuteRequest()))
                return try await req.respond({ (membership: Membership) in try .json(membership) }) {
                    try await safety.mute(conversationId: id, until: body.until, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/conversations/:id/mute", auth: .userToken, rateClass: .writes) { req in
                let id = try req.uuid("id")
                return try await req.respond({ (membership: Membership) in try .json(membership) }) {
                    try await safety.unmute(conversationId: id, by: req.user)
                }
            },
            RouteSpec(method: .post, path: "/v1/reports", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(ReportCreateRequest.self)
                return try await req.respond({ (report: Report) in try .json(report, status: 201) }) {
                    try await safety.report(body, by: req.user)
                }
            },
            RouteSpec(method: .get, path: "/v1/reports", auth: .apiKey, rateClass: .admin) { req in
                let limit = try req.integerQuery("limit", in: 1...Int64(limits.maxPageSize)).map(Int.init)
                    ?? limits.defaultPageSize
                let status = req.query["status"].map(ReportStatus.init(rawValue:))
                return try .json(await safety.reports(tenantId: req.tenantId, status: status, cursor: req.query["cursor"],
                                                      limit: limit))
            },
            RouteSpec(method: .patch, path: "/v1/reports/:id", auth: .apiKey, rateClass: .admin) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(ReportUpdateRequest.self))
                return try await req.respond({ (report: Report) in try .json(report) }) {
                    try await safety.resolveReport(id: id, tenantId: req.tenantId, body)
                }
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/bans", auth: .userOrAPIKey, rateClass: .writes) { req in
                let (id, body) = (try req.uuid("id"), try req.decode(BanRequest.self))
                return try await req.respond({ (ban: Ban) in try .json(ban, status: 201) }) {
                    try await safety.ban(conversationId: id, body, by: req.caller)
                }
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id/bans", auth: .userOrAPIKey, rateClass: .reads) { req in
                try .list(await safety.bans(conversationId: req.uuid("id"), for: req.caller))
            },
            RouteSpec(method: .delete, path: "/v1/conversations/:id/bans/:user_id", auth: .userOrAPIKey,
                      rateClass: .writes) { req in
                let (id, userId) = (try req.uuid("id"), try req.uuid("user_id"))
                return try await req.respond({ .noContent }) {
                    try await safety.unban(conversationId: id, userId: userId, by: req.caller)
                }
            },
            RouteSpec(method: .delete, path: "/v1/users/:user_id/messages", auth: .apiKey, rateClass: .admin) { req in
                try .json(await messages.deleteAllMessages(ofUser: req.uuid("user_id"), tenantId: req.tenantId), status: 202)
            },
        ]
    }
}
