import ArgumentParser
import Foundation
import PoolseServer

/// `poolse serve` options for push notifications on a single-tenant install. A tenant that
/// configures its own providers (`PUT /v1/tenant/push/apns|fcm`) uses those instead.
struct PushOptions: ParsableArguments {
    @Option(name: .customLong("apns-key-file"),
            help: "APNs token-auth key (.p8) used for tenants without their own (env POOLSE_APNS_KEY_FILE); needs the three flags below.")
    var apnsKeyFile: String?

    @Option(name: .customLong("apns-key-id"), help: "The .p8 key's id (env POOLSE_APNS_KEY_ID).")
    var apnsKeyId: String?

    @Option(name: .customLong("apns-team-id"), help: "The Apple developer team id that owns the key (env POOLSE_APNS_TEAM_ID).")
    var apnsTeamId: String?

    @Option(name: .customLong("apns-bundle-id"), help: "The app's bundle id, the APNs topic (env POOLSE_APNS_BUNDLE_ID).")
    var apnsBundleId: String?

    @Option(name: .customLong("fcm-service-account-file"),
            help: "Firebase service-account JSON used for tenants without their own (env POOLSE_FCM_SERVICE_ACCOUNT_FILE).")
    var fcmServiceAccountFile: String?

    /// Applies these options, then the environment, over `configuration`.
    func apply(to configuration: inout ServerConfiguration) {
        let env = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? { (flag ?? env[name]).flatMap { $0.isEmpty ? nil : $0 } }
        configuration.push.apnsKeyFile = value(apnsKeyFile, "POOLSE_APNS_KEY_FILE")
        configuration.push.apnsKeyId = value(apnsKeyId, "POOLSE_APNS_KEY_ID")
        configuration.push.apnsTeamId = value(apnsTeamId, "POOLSE_APNS_TEAM_ID")
        configuration.push.apnsBundleId = value(apnsBundleId, "POOLSE_APNS_BUNDLE_ID")
        configuration.push.fcmServiceAccountFile = value(fcmServiceAccountFile, "POOLSE_FCM_SERVICE_ACCOUNT_FILE")
    }
}
