/// The calling user (`chat.me`).
public struct MeResource: Sendable {
    let rest: RESTClient

    /// The users you block.
    public var blocks: BlocksResource { BlocksResource(rest: rest) }

    /// The user the token belongs to. `GET /v1/me`.
    public func show() async throws -> Me {
        try await rest.request(.get, "/v1/me")
    }
}
