import Crypto
import Foundation
import NIOConcurrencyHelpers

@testable import PoolseServer

/// A clock tests move by hand (provider-token ages, OAuth token expiry).
final class ManualClock: Sendable {
    private let time: NIOLockedValueBox<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { time = NIOLockedValueBox(start) }

    var now: Date { time.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLockedValue { $0 += seconds } }
    /// For the `now:` parameters of the push types.
    var function: @Sendable () -> Date { { [self] in now } }
}

/// Devices and contents for push tests.
enum PushFixtures {
    static func device(_ token: String = "a1b2c3", platform: PushDevice.Platform = .ios,
                       environment: PushDevice.Environment = .production, kind: PushDevice.Kind = .alert,
                       tenantId: String = "t1") -> PushDevice {
        PushDevice(id: UUID().uuidString.lowercased(), tenantId: tenantId, userId: "u1", token: token, platform: platform,
                   environment: environment, kind: kind)
    }

    static let alert = PushAlert(title: "Team chat", body: "Lunch at noon?", conversationId: "c-1", messageId: "m-1",
                                 sequence: 42, senderId: "u-2", badge: 3, collapseId: "c-1")

    static let call = PushCall(callId: "call-1", conversationId: "c-1", callerUserId: "u-2", callerName: "Ada",
                               media: "video", sentAtMillis: 1_800_000_000_123)

    /// An APNs key with made-up ids.
    static func apnsCredentials(_ key: P256.Signing.PrivateKey, environment: PushDevice.Environment? = nil) throws
        -> APNsCredentials {
        try APNsCredentials(keyId: "KEY1234567", teamId: "TEAM123456", bundleId: "com.example.chat",
                            privateKeyPEM: key.pemRepresentation, environment: environment)
    }
}
