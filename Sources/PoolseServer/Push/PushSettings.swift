import Foundation
import PoolseWire

/// A tenant's push provider credentials: validated when given, stored with the key sealed
/// (`SecretSealer`, when the server has `--secrets-key`; otherwise as given, like the server's own
/// secrets in `SharedSecrets`), shown without the key, and read back for sending.
struct PushSettings: Sendable {
    let store: Store
    let sealer: SecretSealer?
    /// The single-tenant credentials from flags, used by tenants without their own.
    let fallback: PushCredentials

    static let apns = "apns"
    static let fcm = "fcm"

    /// What is stored in `settings` for APNs (the key id, team, bundle and environment).
    private struct APNsSettings: Codable {
        let keyId: String
        let teamId: String
        let bundleId: String
        let environment: String?
    }

    func configureAPNs(tenantId: String, _ request: APNsConfigurationRequest) async throws -> PushSettingsView {
        let environment = try request.environment.map { value in
            guard let environment = PushDevice.Environment(rawValue: value) else {
                throw DomainError.validation("environment", "must be production or sandbox")
            }
            return environment
        }
        let credentials = try APNsCredentials(keyId: request.keyId, teamId: request.teamId, bundleId: request.bundleId,
                                              privateKeyPEM: request.privateKey, environment: environment)
        let settings = APNsSettings(keyId: credentials.keyId, teamId: credentials.teamId, bundleId: credentials.bundleId,
                                    environment: environment?.rawValue)
        try await save(tenantId: tenantId, provider: Self.apns, settings: try JSONEncoder().encode(settings),
                       secret: credentials.privateKeyPEM)
        return try await view(tenantId: tenantId)
    }

    func configureFCM(tenantId: String, _ request: FCMConfigurationRequest) async throws -> PushSettingsView {
        let text: String
        switch request.serviceAccount {
        case .string(let string): text = string
        case .object: text = String(decoding: try JSONEncoder().encode(request.serviceAccount), as: UTF8.self)
        default: throw DomainError.validation("service_account", "must be the service-account JSON, as an object or a string")
        }
        let account = try FCMServiceAccount(json: text)
        let settings = ["project_id": account.projectId, "client_email": account.clientEmail]
        try await save(tenantId: tenantId, provider: Self.fcm, settings: try JSONEncoder().encode(settings), secret: account.json)
        return try await view(tenantId: tenantId)
    }

    func remove(tenantId: String, provider: String) async throws {
        try await store.transaction { try await $0.deletePushProvider(tenantId: tenantId, provider: provider) }
    }

    /// What is configured for the tenant, its own settings before the flags'.
    func view(tenantId: String) async throws -> PushSettingsView {
        let records = try await store.read { try await $0.pushProviders(tenantId: tenantId) }
        var apns = fallback.apns.map {
            PushSettingsView.APNs(keyId: $0.keyId, teamId: $0.teamId, bundleId: $0.bundleId,
                                  environment: $0.environment?.rawValue, source: "flags", updatedAt: nil)
        }
        var fcm = fallback.fcm.map {
            PushSettingsView.FCM(projectId: $0.projectId, clientEmail: $0.clientEmail, source: "flags", updatedAt: nil)
        }
        for record in records {
            let updatedAt = WireTime.date(micros: record.updatedAt)
            if record.provider == Self.apns, let settings = try? JSONDecoder().decode(APNsSettings.self, from: Data(record.settings.utf8)) {
                apns = PushSettingsView.APNs(keyId: settings.keyId, teamId: settings.teamId, bundleId: settings.bundleId,
                                             environment: settings.environment, source: "tenant", updatedAt: updatedAt)
            }
            if record.provider == Self.fcm,
               let settings = try? JSONDecoder().decode([String: String].self, from: Data(record.settings.utf8)) {
                fcm = PushSettingsView.FCM(projectId: settings["project_id"] ?? "", clientEmail: settings["client_email"] ?? "",
                                           source: "tenant", updatedAt: updatedAt)
            }
        }
        return PushSettingsView(apns: apns, fcm: fcm)
    }

    /// The credentials to send with: the tenant's own, else the flags'. Throws when a stored key
    /// can't be opened (sealed with another `--secrets-key`, or none given).
    func credentials(tenantId: String) async throws -> PushCredentials {
        var credentials = fallback
        for record in try await store.read({ try await $0.pushProviders(tenantId: tenantId) }) {
            let secret = try record.secret.plain(with: sealer, what: "a stored push key")
            if record.provider == Self.apns {
                let settings = try JSONDecoder().decode(APNsSettings.self, from: Data(record.settings.utf8))
                credentials.apns = try APNsCredentials(
                    keyId: settings.keyId, teamId: settings.teamId, bundleId: settings.bundleId, privateKeyPEM: secret,
                    environment: settings.environment.flatMap(PushDevice.Environment.init(rawValue:)))
            } else if record.provider == Self.fcm {
                credentials.fcm = try FCMServiceAccount(json: secret)
            }
        }
        return credentials
    }

    private func save(tenantId: String, provider: String, settings: Data, secret: String) async throws {
        let record = PushProviderRecord(provider: provider, settings: String(decoding: settings, as: UTF8.self),
                                        secret: try .sealing(secret, with: sealer),
                                        updatedAt: WallClock.nowMicros())
        try await store.transaction { try await $0.upsertPushProvider(tenantId: tenantId, record) }
    }
}

/// The credentials one tenant sends with; nil where nothing is configured.
struct PushCredentials: Sendable, Equatable {
    var apns: APNsCredentials?
    var fcm: FCMServiceAccount?
}
