/// Push devices of the calling user (`chat.devices`). Register the token your app gets from
/// the platform (APNs through `UIApplication`/PushKit on iOS, FCM on Android) after each launch:
/// registering is an idempotent upsert keyed by the token, and a token another user of the
/// tenant had moves to you.
public struct DevicesResource: Sendable {
    let rest: RESTClient

    /// Registers a push token. `environment` defaults to `production` on the server; `kind`
    /// to `voip` on iOS (a PushKit token: calls only) and `alert` on Android. Pass `.alert` for
    /// an APNs alert token from `registerForRemoteNotifications`. `POST /v1/devices`.
    @discardableResult
    public func register(token: String, platform: DevicePlatform, environment: DeviceEnvironment? = nil,
                         kind: DeviceKind? = nil) async throws -> Device {
        try await rest.request(.post, "/v1/devices", body: DeviceRegisterRequest(token: token, platform: platform,
                                                                                 environment: environment, kind: kind))
    }

    /// Forgets a token (at logout); no error when it was not registered. `DELETE /v1/devices/:token`.
    public func unregister(token: String) async throws {
        try await rest.request(.delete, "/v1/devices/" + RequestURL.segment(token))
    }

    /// Your registered devices (tokens are never returned). `GET /v1/me/devices`.
    public func list() async throws -> DataList<Device> {
        try await rest.request(.get, "/v1/me/devices")
    }
}
