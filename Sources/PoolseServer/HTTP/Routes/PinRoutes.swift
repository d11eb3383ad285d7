import PoolseWire

/// Pinned messages: pin, unpin, and a conversation's pins.
enum PinRoutes {
    static func specs(_ pins: PinService) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/messages/:id/pin", auth: .userToken, rateClass: .writes) { req in
                let id = try req.uuid("id")
                return try await req.respond({ (message: Message) in try .json(message) }) {
                    try await pins.setPinned(messageId: id, pinning: true, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/messages/:id/pin", auth: .userToken, rateClass: .writes) { req in
                let id = try req.uuid("id")
                return try await req.respond({ (message: Message) in try .json(message) }) {
                    try await pins.setPinned(messageId: id, pinning: false, by: req.user)
                }
            },
            RouteSpec(method: .get, path: "/v1/conversations/:id/pins", auth: .userToken, rateClass: .reads) { req in
                try .list(await pins.list(conversationId: req.uuid("id"), for: req.user))
            },
        ]
    }
}
