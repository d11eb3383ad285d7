import Foundation

/// The push service a device token belongs to: `ios` (APNs) or `android` (FCM).
public struct DevicePlatform: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let ios: DevicePlatform = "ios"
    public static let android: DevicePlatform = "android"
    /// The platforms the server accepts.
    public static let known: [DevicePlatform] = [.ios, .android]
}

/// The APNs environment of a token: `production` or `sandbox` (development builds).
public struct DeviceEnvironment: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let production: DeviceEnvironment = "production"
    public static let sandbox: DeviceEnvironment = "sandbox"
    /// The environments the server accepts.
    public static let known: [DeviceEnvironment] = [.production, .sandbox]
}

/// What a token is for: `voip` (a PushKit token: calls only) or `alert` (visible notifications:
/// an APNs alert token, or an FCM registration token).
public struct DeviceKind: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let voip: DeviceKind = "voip"
    public static let alert: DeviceKind = "alert"
    /// The kinds the server accepts.
    public static let known: [DeviceKind] = [.voip, .alert]
}

/// `POST /v1/devices`: registers (or re-registers) a push token for the caller.
public struct DeviceRegisterRequest: Codable, Hashable, Sendable {
    /// The token the platform's push service gave the app.
    public var token: String
    /// `ios` or `android`.
    public var platform: DevicePlatform
    /// `production` (the default) or `sandbox`.
    public var environment: DeviceEnvironment?
    /// `voip` or `alert`; by default `voip` on iOS (the JS SDK registers PushKit tokens) and `alert` on Android.
    public var kind: DeviceKind?

    /// Creates the request.
    public init(token: String, platform: DevicePlatform, environment: DeviceEnvironment? = nil, kind: DeviceKind? = nil) {
        self.token = token
        self.platform = platform
        self.environment = environment
        self.kind = kind
    }
}

/// A registered push device. The token itself is never sent back.
public struct Device: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var tenantId: String
    public var userId: String
    public var platform: DevicePlatform
    public var environment: DeviceEnvironment
    public var kind: DeviceKind
    /// When the token was last registered.
    public var lastRegisteredAt: Date
    public var insertedAt: Date
    public var updatedAt: Date

    /// Creates the value.
    public init(id: String, tenantId: String, userId: String, platform: DevicePlatform, environment: DeviceEnvironment,
                kind: DeviceKind, lastRegisteredAt: Date, insertedAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.userId = userId
        self.platform = platform
        self.environment = environment
        self.kind = kind
        self.lastRegisteredAt = lastRegisteredAt
        self.insertedAt = insertedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, platform, environment, kind
        case tenantId = "tenant_id", userId = "user_id", lastRegisteredAt = "last_registered_at"
        case insertedAt = "inserted_at", updatedAt = "updated_at"
    }
}
