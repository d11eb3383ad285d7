import Foundation
import PoolseWire

/// End users' push devices (user token).
enum DeviceRoutes {
    static func specs(_ devices: DeviceService) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/devices", auth: .userToken, rateClass: .writes) { req in
                let body = try req.decode(DeviceRegisterRequest.self)
                return try await req.respond({ (device: Device) in try .json(device, status: 201) }) {
                    try await devices.register(body, by: req.user)
                }
            },
            RouteSpec(method: .delete, path: "/v1/devices/:token", auth: .userToken, rateClass: .writes) { req in
                // The router hands the segment over still percent-encoded (an SDK encodes the `:` of FCM tokens).
                let raw = try req.parameter("token")
                let token = raw.removingPercentEncoding ?? raw
                return try await req.respond({ .noContent }) { try await devices.unregister(token: token, by: req.user) }
            },
            RouteSpec(method: .get, path: "/v1/me/devices", auth: .userToken, rateClass: .reads) { req in
                try .list(await devices.list(for: req.user))
            },
        ]
    }
}
