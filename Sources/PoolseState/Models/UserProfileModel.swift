import Observation

/// How the app presents one of its users, from ``PoolseConfiguration/userResolver``
/// through the SDK's profile cache: the Swift counterpart of `useUser`. Changes
/// (invalidation, a new answer) show live.
@MainActor @Observable
public final class UserProfileModel {
    /// The user's external id.
    public let externalID: String
    /// What the cache knows: not fetched, not found, or the profile.
    public private(set) var lookup: UserProfileLookup
    /// The resolver's last error (nil after an answer).
    public private(set) var lastError: (any Error)?

    private let session: PoolseSession
    @ObservationIgnored private var task: Task<Void, Never>?

    /// Shows the cached profile at once and follows its changes; call ``load()`` to resolve it.
    public init(session: PoolseSession, externalID: String) {
        self.session = session
        self.externalID = externalID
        lookup = session.client.users.peek(externalID)
        let changes = session.client.users.changes(of: externalID)
        task = Task { [weak self] in
            for await change in changes { self?.lookup = change }
        }
    }

    isolated deinit { task?.cancel() }

    /// The profile, when there is one.
    public var profile: PoolseUserProfile? { lookup.profile }

    /// Resolves the profile (one shared resolver call for all callers), unless cached.
    public func load() async {
        do {
            let profile = try await session.client.users.get(externalID)
            lookup = profile.map(UserProfileLookup.found) ?? session.client.users.peek(externalID)
            lastError = nil
        } catch {
            lastError = error
        }
    }
}
