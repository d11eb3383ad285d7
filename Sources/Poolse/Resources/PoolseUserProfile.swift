import Foundation

/// How your app presents one of its users: what ``PoolseConfiguration/userResolver``
/// returns and ``UsersResource`` caches. The SDK never stores profiles on the server.
public struct PoolseUserProfile: Sendable, Hashable {
    /// The name to show, when the user has one.
    public var displayName: String?
    /// The avatar image, when the user has one.
    public var avatarURL: URL?

    /// Creates a profile.
    public init(displayName: String? = nil, avatarURL: URL? = nil) {
        self.displayName = displayName
        self.avatarURL = avatarURL
    }
}
