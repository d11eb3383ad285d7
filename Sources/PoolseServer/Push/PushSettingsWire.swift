import Foundation
import PoolseWire

/// `PUT /v1/tenant/push/apns`.
struct APNsConfigurationRequest: Decodable, Sendable {
    let keyId: String
    let teamId: String
    let bundleId: String
    /// The `.p8` file's text.
    let privateKey: String
    /// `production` or `sandbox` forces that host for every device; absent/null follows each device.
    let environment: String?

    enum CodingKeys: String, CodingKey {
        case keyId = "key_id", teamId = "team_id", bundleId = "bundle_id", privateKey = "private_key", environment
    }
}

/// `PUT /v1/tenant/push/fcm`: the service-account JSON, as an object or as its text.
struct FCMConfigurationRequest: Decodable, Sendable {
    let serviceAccount: JSONValue
    enum CodingKeys: String, CodingKey { case serviceAccount = "service_account" }
}

/// What `GET /v1/tenant/push` shows: which providers are configured and from where, never a key.
struct PushSettingsView: Codable, Sendable, Equatable {
    struct APNs: Codable, Sendable, Equatable {
        let keyId: String
        let teamId: String
        let bundleId: String
        let environment: String?
        /// `tenant` (stored through the API) or `flags` (the server's single-tenant flags).
        let source: String
        let updatedAt: Date?
        enum CodingKeys: String, CodingKey {
            case keyId = "key_id", teamId = "team_id", bundleId = "bundle_id", environment, source, updatedAt = "updated_at"
        }
    }

    struct FCM: Codable, Sendable, Equatable {
        let projectId: String
        let clientEmail: String
        let source: String
        let updatedAt: Date?
        enum CodingKeys: String, CodingKey {
            case projectId = "project_id", clientEmail = "client_email", source, updatedAt = "updated_at"
        }
    }

    let apns: APNs?
    let fcm: FCM?

    func encode(to encoder: any Encoder) throws {
        // Both keys always present: `null` says "not configured".
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apns, forKey: .apns)
        try container.encode(fcm, forKey: .fcm)
    }

    enum CodingKeys: String, CodingKey { case apns, fcm }
}
