import Foundation

/// The poolse chat client: REST resources over one authenticated connection.
///
/// ```swift
/// let chat = Poolse(PoolseConfiguration { try await fetchChatToken() })
/// let me = try await chat.me.show()
/// let inbox = try await chat.conversations.list().data
/// try await chat.conversations.one(inbox[0].id).messages.send(.init(body: "Hello"))
/// ```
///
/// Create one per signed-in user and drop it on sign-out (or call ``destroy()``): the
/// token cache, the user profile cache and the realtime socket belong to the instance.
///
/// ## Topics
/// - ``me``, ``conversations``, ``messages``, ``attachments``: the typed REST resources.
/// - ``users``: the cache of your app's user profiles.
/// - ``rest``: any other route, with the same auth, retries and idempotency.
/// - ``realtime``: live channels over one WebSocket; ``destroy()`` closes it.
public final class Poolse: Sendable {
    /// The SDK version, for diagnostics (also sent in `User-Agent`).
    public static let version = "0.1.0"

    /// The configuration this client was created with, URLs normalised. The realtime
    /// client reads ``PoolseConfiguration/wsURL``, ``PoolseConfiguration/socketPath`` and
    /// ``PoolseConfiguration/onSocketError`` from it.
    public let configuration: PoolseConfiguration

    /// Raw requests to any route: the escape hatch.
    public let rest: RESTClient
    /// The calling user.
    public let me: MeResource
    /// The caller's conversations, their members and their messages.
    public let conversations: ConversationsResource
    /// Operations on one message by id: edit, delete, thread replies, reactions.
    public let messages: MessagesResource
    /// Uploads, download URLs and deletion of files attached to messages.
    public let attachments: AttachmentsResource
    /// Profiles of your app's users, resolved by ``PoolseConfiguration/userResolver`` and cached.
    public let users: UsersResource
    /// Reporting messages and users to the tenant's moderators.
    public let reports: ReportsResource
    /// Full-text message search.
    public let search: SearchResource
    /// Push tokens of the calling user's devices.
    public let devices: DevicesResource
    /// Live conversation and user channels over one WebSocket, opened on first use.
    public let realtime: PoolseRealtime
    /// Voice and video calls: ringing, voice rooms, ICE servers, the SFU token.
    public let calls: CallsClient

    /// Creates a client. Nothing touches the network until the first call.
    public init(_ configuration: PoolseConfiguration) {
        self.configuration = configuration
        let rest = RESTClient(configuration: configuration)
        self.rest = rest
        me = MeResource(rest: rest)
        reports = ReportsResource(rest: rest)
        conversations = ConversationsResource(rest: rest)
        messages = MessagesResource(rest: rest)
        attachments = AttachmentsResource(rest: rest)
        users = UsersResource(resolver: configuration.userResolver)
        search = SearchResource(rest: rest)
        devices = DevicesResource(rest: rest)
        realtime = PoolseRealtime(configuration: configuration, rest: rest)
        calls = CallsClient(rest: rest, realtime: realtime)
    }

    /// Closes the realtime socket for good and leaves every channel; their streams end.
    /// REST calls keep working. (Dropping the last reference to the client does the same.)
    public func destroy() {
        realtime.destroy()
    }
}
