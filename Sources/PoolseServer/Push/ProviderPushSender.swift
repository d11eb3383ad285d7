import Foundation
import Logging

/// The push sender the outbound queue calls: routes an iOS device to APNs and an Android device
/// to FCM with its tenant's credentials (its own, else the server's flags), or answers
/// `notConfigured` when there are none.
///
/// Credentials are cached per tenant for `PushConfiguration.configurationCacheSeconds`; this
/// node's own changes (`PUT`/`DELETE /v1/tenant/push/…`) invalidate them at once. Provider tokens
/// (the APNs JWT, the FCM access token) belong to the credentials, not the tenant, so a reload
/// that finds the same key keeps using the same token (APNs refuses renewals more often than
/// every 20 minutes).
struct ProviderPushSender: PushSender {
    let settings: PushSettings
    let http: OutboundHTTPClient
    let apns: APNsProvider
    let fcm: FCMProvider
    let cache: PushCredentialCache

    init(settings: PushSettings, configuration: PushConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        let http = OutboundHTTPClient(configuration: configuration)
        self.http = http
        apns = APNsProvider(http: http, configuration: configuration, now: now)
        fcm = FCMProvider(http: http, configuration: configuration)
        cache = PushCredentialCache(http: http, configuration: configuration, now: now)
    }

    /// The sender of a server: its store, `--secrets-key` and the push flags (whose key files are
    /// read and checked now, so a bad file stops the start rather than the first push).
    static func make(store: Store, configuration: ServerConfiguration) throws -> ProviderPushSender {
        let sealer = try configuration.secretsKey.flatMap { $0.isEmpty ? nil : try SecretSealer(passphrase: $0) }
        let fallback = try PushFlags.credentials(configuration.push)
        return ProviderPushSender(settings: PushSettings(store: store, sealer: sealer, fallback: fallback),
                                  configuration: configuration.push)
    }

    func send(_ delivery: PushDelivery) async -> PushOutcome {
        let credentials: PushCredentials
        do {
            credentials = try await cache.credentials(tenantId: delivery.device.tenantId) {
                try await settings.credentials(tenantId: delivery.device.tenantId)
            }
        } catch let error as ConfigError {
            return .failed(reason: error.description)
        } catch {
            return .retry(after: nil, reason: "the push configuration could not be read")
        }
        switch delivery.device.platform {
        case .ios:
            guard let apnsCredentials = credentials.apns else { return .notConfigured }
            guard let signer = await cache.signer(for: apnsCredentials) else { return .failed(reason: "the APNs key can't sign") }
            return await apns.send(delivery, credentials: apnsCredentials, signer: signer)
        case .android:
            guard let account = credentials.fcm else { return .notConfigured }
            guard let tokens = await cache.accessTokens(for: account) else {
                return .failed(reason: "the FCM service account can't sign")
            }
            return await fcm.send(delivery, projectId: account.projectId, tokens: tokens)
        }
    }

    /// Forgets a tenant's cached credentials (its configuration changed on this node).
    func invalidate(tenantId: String) async { await cache.invalidate(tenantId: tenantId) }

    /// Closes the providers' connections.
    func shutdown() async { await http.shutdown() }
}

/// Per-tenant credentials with a time to live, and the token makers of each set of credentials.
actor PushCredentialCache {
    private let http: OutboundHTTPClient
    private let tokenURL: String?
    private let lifetime: TimeInterval
    private let now: @Sendable () -> Date
    private var tenants: [String: (credentials: PushCredentials, loadedAt: Date)] = [:]
    private var signers: [APNsCredentials: APNsTokenSigner] = [:]
    private var accessTokens: [FCMServiceAccount: FCMAccessTokens] = [:]

    init(http: OutboundHTTPClient, configuration: PushConfiguration, now: @escaping @Sendable () -> Date) {
        self.http = http
        tokenURL = configuration.fcmTokenURL
        lifetime = configuration.configurationCacheSeconds
        self.now = now
    }

    func credentials(tenantId: String, load: @Sendable () async throws -> PushCredentials) async throws -> PushCredentials {
        if let entry = tenants[tenantId], now().timeIntervalSince(entry.loadedAt) < lifetime { return entry.credentials }
        let credentials = try await load()
        tenants[tenantId] = (credentials, now())
        prune()
        return credentials
    }

    func invalidate(tenantId: String) {
        tenants[tenantId] = nil
        prune()
    }

    func signer(for credentials: APNsCredentials) -> APNsTokenSigner? {
        if let signer = signers[credentials] { return signer }
        let signer = try? APNsTokenSigner(credentials: credentials, now: now)
        signers[credentials] = signer
        return signer
    }

    func accessTokens(for account: FCMServiceAccount) -> FCMAccessTokens? {
        if let tokens = accessTokens[account] { return tokens }
        let tokens = try? FCMAccessTokens(account: account, http: http, tokenURL: tokenURL, now: now)
        accessTokens[account] = tokens
        return tokens
    }

    /// Drops the token makers of credentials no cached tenant uses any more (replaced keys).
    private func prune() {
        let apns = Set(tenants.values.compactMap(\.credentials.apns))
        let fcm = Set(tenants.values.compactMap(\.credentials.fcm))
        signers = signers.filter { apns.contains($0.key) }
        accessTokens = accessTokens.filter { fcm.contains($0.key) }
    }
}

/// The single-tenant credentials given by flags.
enum PushFlags {
    /// Reads the key files the flags name. All four APNs flags go together.
    static func credentials(_ configuration: PushConfiguration) throws -> PushCredentials {
        var credentials = PushCredentials()
        let apnsFlags = [configuration.apnsKeyFile, configuration.apnsKeyId, configuration.apnsTeamId, configuration.apnsBundleId]
        if apnsFlags.contains(where: { $0 != nil }) {
            guard let file = configuration.apnsKeyFile, let keyId = configuration.apnsKeyId,
                  let teamId = configuration.apnsTeamId, let bundleId = configuration.apnsBundleId
            else { throw ConfigError("APNs needs --apns-key-file, --apns-key-id, --apns-team-id and --apns-bundle-id together") }
            do {
                credentials.apns = try APNsCredentials(keyId: keyId, teamId: teamId, bundleId: bundleId,
                                                       privateKeyPEM: try read(file, flag: "--apns-key-file"), environment: nil)
            } catch let error as DomainError {
                throw ConfigError("APNs flags: \(error.message)")
            }
        }
        if let file = configuration.fcmServiceAccountFile {
            do {
                credentials.fcm = try FCMServiceAccount(json: try read(file, flag: "--fcm-service-account-file"),
                                                        field: "--fcm-service-account-file")
            } catch let error as DomainError {
                throw ConfigError("FCM flags: \(error.message)")
            }
        }
        return credentials
    }

    private static func read(_ path: String, flag: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigError("\(flag): can't read \(path)") }
        return text
    }
}
