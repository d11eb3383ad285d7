import ArgumentParser
import Foundation
import PoolseServer

/// `poolse serve` options for calls: ICE servers (STUN, TURN with coturn REST credentials) and
/// the optional LiveKit SFU (docs/calls.md).
struct CallOptions: ParsableArguments {
    @Option(name: .customLong("stun-url"),
            help: "A STUN URL for clients, e.g. stun:stun.example.com:3478; repeat for several (env POOLSE_STUN_URLS, comma-separated).")
    var stunURLs: [String] = []

    @Option(name: .customLong("turn-url"),
            help: "A TURN URL, e.g. turn:turn.example.com:3478?transport=udp; repeat for several; needs --turn-secret (env POOLSE_TURN_URLS, comma-separated).")
    var turnURLs: [String] = []

    @Option(name: .customLong("turn-secret"),
            help: "coturn's static-auth-secret (use-auth-secret); prefer the environment (env POOLSE_TURN_SECRET).")
    var turnSecret: String?

    @Option(name: .customLong("turn-ttl"),
            help: "Seconds TURN credentials stay valid (env POOLSE_TURN_TTL; default 86400).")
    var turnTTL: Int?

    @Option(name: .customLong("livekit-url"), help: "LiveKit server URL handed to clients, e.g. wss://sfu.example.com (env POOLSE_LIVEKIT_URL).")
    var liveKitURL: String?

    @Option(name: .customLong("livekit-api-key"), help: "LiveKit API key (env POOLSE_LIVEKIT_API_KEY).")
    var liveKitAPIKey: String?

    @Option(name: .customLong("livekit-api-secret"),
            help: "LiveKit API secret; prefer the environment (env POOLSE_LIVEKIT_API_SECRET).")
    var liveKitAPISecret: String?

    /// Applies these options, then the environment, over `configuration.calls`.
    func apply(to configuration: inout ServerConfiguration) throws {
        let env = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? { (flag ?? env[name]).flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ flags: [String], _ name: String) -> [String] {
            if !flags.isEmpty { return flags }
            return (env[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var calls = configuration.calls
        calls.stunURLs = list(stunURLs, "POOLSE_STUN_URLS")
        calls.turnURLs = list(turnURLs, "POOLSE_TURN_URLS")
        calls.turnSecret = value(turnSecret, "POOLSE_TURN_SECRET")
        if !calls.turnURLs.isEmpty, calls.turnSecret == nil {
            throw ValidationError("--turn-url needs --turn-secret (POOLSE_TURN_SECRET): TURN is only offered with credentials")
        }
        if let text = turnTTL.map(String.init) ?? env["POOLSE_TURN_TTL"] {
            guard let seconds = Int(text), seconds > 0 else { throw ValidationError("--turn-ttl must be a positive number of seconds") }
            calls.turnTTL = .seconds(seconds)
        }
        calls.liveKitURL = value(liveKitURL, "POOLSE_LIVEKIT_URL")
        calls.liveKitAPIKey = value(liveKitAPIKey, "POOLSE_LIVEKIT_API_KEY")
        calls.liveKitAPISecret = value(liveKitAPISecret, "POOLSE_LIVEKIT_API_SECRET")
        let liveKit = [calls.liveKitURL, calls.liveKitAPIKey, calls.liveKitAPISecret]
        if liveKit.contains(where: { $0 != nil }), liveKit.contains(where: { $0 == nil }) {
            throw ValidationError("an SFU needs all of --livekit-url, --livekit-api-key and --livekit-api-secret")
        }
        configuration.calls = calls
    }
}
