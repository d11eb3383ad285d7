/// What ``UsersResource/peek(_:)`` knows about a user without waiting.
public enum UserProfileLookup: Sendable, Hashable {
    /// Not resolved yet (or invalidated, or there is no resolver): call ``UsersResource/get(_:)``.
    case notFetched
    /// The resolver ran and returned nil: the app has no profile for this user.
    case notFound
    /// The cached profile.
    case found(PoolseUserProfile)

    /// The profile, when there is one.
    public var profile: PoolseUserProfile? {
        if case .found(let profile) = self { return profile }
        return nil
    }

    init(_ entry: PoolseUserProfile?) {
        self = entry.map(UserProfileLookup.found) ?? .notFound
    }
}
