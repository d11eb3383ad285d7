import Foundation

/// Where the push providers are reached and the single-tenant credentials given by flags.
/// A tenant's own configuration (`PUT /v1/tenant/push/…`) wins over these flags.
public struct PushConfiguration: Sendable {
    /// APNs production host. Default `https://api.push.apple.com`.
    public var apnsProductionURL = "https://api.push.apple.com"
    /// APNs sandbox host (development builds). Default `https://api.sandbox.push.apple.com`.
    public var apnsSandboxURL = "https://api.sandbox.push.apple.com"
    /// FCM HTTP v1 base URL. Default `https://fcm.googleapis.com`.
    public var fcmURL = "https://fcm.googleapis.com"
    /// When set, replaces every service account's `token_uri` (a proxy, or a test's stand-in);
    /// the JWT's audience stays the account's `token_uri`.
    public var fcmTokenURL: String?
    /// A PEM file of CA certificates trusted instead of the system's for the providers' TLS
    /// (a TLS-inspecting proxy, or a test's self-signed stand-in). Nil: the system trust store.
    public var trustRootsFile: String?
    /// Seconds one provider request may take. Default 10.
    public var requestTimeoutSeconds: Int64 = 10
    /// Seconds a node keeps a tenant's provider configuration before reading it again (a change
    /// made through another node is seen within this time; this node's own changes at once). Default 30.
    public var configurationCacheSeconds: Double = 30

    /// `--apns-key-file`: the `.p8` key used for tenants with no APNs configuration of their own.
    public var apnsKeyFile: String?
    /// `--apns-key-id`.
    public var apnsKeyId: String?
    /// `--apns-team-id`.
    public var apnsTeamId: String?
    /// `--apns-bundle-id`: the app's bundle id (`apns-topic`).
    public var apnsBundleId: String?
    /// `--fcm-service-account-file`: the service-account JSON used for tenants with no FCM configuration.
    public var fcmServiceAccountFile: String?

    /// The defaults: Apple's and Google's hosts, nothing configured.
    public init() {}
}
