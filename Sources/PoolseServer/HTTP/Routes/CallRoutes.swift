import PoolseWire

/// Media for calls: ICE servers and the SFU token (ringing and voice rooms are realtime).
enum CallRoutes {
    static func specs(_ credentials: CallCredentials) -> [RouteSpec] {
        [
            RouteSpec(method: .get, path: "/v1/ice-servers", auth: .userToken, rateClass: .reads) { req in
                try .json(credentials.iceServers(for: try req.user.userId))
            },
            RouteSpec(method: .post, path: "/v1/conversations/:id/call-token", auth: .userToken, rateClass: .writes) { req in
                try .json(await credentials.callToken(conversationId: try req.uuid("id"), for: try req.user))
            },
        ]
    }
}
