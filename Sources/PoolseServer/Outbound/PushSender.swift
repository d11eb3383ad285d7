/// The seam between the outbound queue (which decides who gets a push and when) and the push
/// providers (APNs, FCM), which know how to reach a device. The queue hands one `PushDelivery`
/// per device and job attempt to a `PushSender` and acts on the `PushOutcome`: done, delete the
/// device, retry later, or give up.
protocol PushSender: Sendable {
    func send(_ delivery: PushDelivery) async -> PushOutcome
}

/// A device as the push providers need it.
struct PushDevice: Sendable, Equatable, Codable {
    enum Platform: String, Sendable, Codable { case ios, android }
    enum Environment: String, Sendable, Codable { case production, sandbox }
    /// `voip`: a PushKit token (APNs push type `voip`); `alert`: an APNs alert token or an FCM
    /// registration token.
    enum Kind: String, Sendable, Codable { case voip, alert }

    var id: String
    var tenantId: String
    var userId: String
    var token: String
    var platform: Platform
    var environment: Environment
    var kind: Kind
}

/// What to show (or, for a VoIP push, what call is ringing).
enum PushContent: Sendable, Equatable, Codable {
    /// A visible notification about new messages.
    case alert(PushAlert)
    /// An incoming call: APNs `voip` push type, or an FCM data message.
    case call(PushCall)
}

/// A notification about a message. `collapseId` lets the provider replace an earlier
/// notification of the same burst (APNs `apns-collapse-id`, FCM `collapse_key`).
struct PushAlert: Sendable, Equatable, Codable {
    var title: String
    var body: String
    var conversationId: String
    var messageId: String
    var sequence: Int64
    var senderId: String
    /// The user's total unread count when the push was built.
    var badge: Int
    var collapseId: String?
}

/// An incoming call, as `@poolse/sdk` 2.12 reads it from a VoIP push.
struct PushCall: Sendable, Equatable, Codable {
    var callId: String
    var conversationId: String
    var callerUserId: String
    var callerName: String
    var media: String
    /// When the invite was sent, in milliseconds since 1970.
    var sentAtMillis: Int64
}

/// One push to one device.
struct PushDelivery: Sendable, Equatable, Codable {
    var device: PushDevice
    var content: PushContent
}

/// What became of one push attempt.
enum PushOutcome: Sendable, Equatable {
    /// The provider accepted it.
    case delivered
    /// The provider says the token is dead (APNs 410 / `BadDeviceToken`, FCM `UNREGISTERED`):
    /// delete the device.
    case deviceGone
    /// A transient failure (429, 5xx, network): try again, after `after` seconds when the
    /// provider said so.
    case retry(after: Double?, reason: String)
    /// A permanent failure that is not the device's fault (bad credentials, bad payload).
    case failed(reason: String)
    /// No provider is configured for this tenant and platform: nothing is sent, by design.
    case notConfigured
}

/// The sender used when no provider is set up: every push is `notConfigured`.
struct UnconfiguredPushSender: PushSender {
    func send(_ delivery: PushDelivery) async -> PushOutcome { .notConfigured }
}
