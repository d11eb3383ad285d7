import PoolseWire

/// Work a committed change leaves for the outbound queue. A service returns these in its
/// `Change`; `ChangeCommitter` writes them (through `OutboundEnqueuer`) in the change's own
/// transaction, so a rolled-back change leaves no job and a committed one never loses its jobs.
enum OutboundJob: Sendable, Equatable {
    /// A webhook event: one delivery row per endpoint of the tenant subscribed to its type.
    case webhook(WebhookEvent)
    /// A new message: who gets a push is decided when the job runs (see `PushPlanner`).
    case messagePush(MessagePush)
    /// A push to every device of one kind of one user (a VoIP `.call` push for an invite).
    case userPush(UserPush)
    /// Deleting every live message of a user, batch by batch (`DELETE /v1/users/:id/messages`).
    case bulkDeletion(tenantId: String, userId: String)
}

/// The facts about a new message that its push fan-out needs.
struct MessagePush: Sendable, Equatable, Codable {
    var tenantId: String
    var conversationId: String
    var messageId: String
    var sequence: Int64
    var senderId: String
    var mentions: [String]
    /// The preview shown when the tenant allows previews (`MessageService.preview`).
    var preview: String
}

/// A push to one user's devices of one kind, e.g. `.call` content to `voip` devices.
struct UserPush: Sendable, Equatable, Codable {
    var tenantId: String
    var userId: String
    var deviceKind: PushDevice.Kind
    var content: PushContent
    /// Only the devices of this platform (nil: every platform). A call goes to iOS PushKit
    /// tokens and to Android's FCM tokens, never to iOS alert tokens.
    var platform: PushDevice.Platform? = nil
}

/// The kinds of rows in `outbound_jobs`.
enum OutboundJobKind: String, Sendable, CaseIterable {
    /// One webhook delivery to one endpoint.
    case webhook
    /// A new message's push fan-out (expands into `push` rows).
    case messagePush = "message_push"
    /// A user's push fan-out (expands into `push` rows).
    case userPush = "user_push"
    /// One push to one device.
    case push
    /// One user's bulk message deletion.
    case bulkDeletion = "bulk_deletion"
}

/// Where a job stands.
enum OutboundJobStatus: String, Sendable {
    case pending, done, failed
}
