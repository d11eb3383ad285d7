/// The caller's conversations (`chat.conversations`).
public struct ConversationsResource: Sendable {
    let rest: RESTClient

    /// The conversations the caller is a member of, most recent activity first, each
    /// with `unreadCount` and `memberExternalIds`. `GET /v1/conversations`.
    public func list() async throws -> DataList<Conversation> {
        try await rest.request(.get, "/v1/conversations")
    }

    /// Creates a conversation; the caller becomes its owner. Creating a `direct`
    /// conversation again for the same pair returns the existing one.
    /// `POST /v1/conversations`.
    public func create(_ attributes: ConversationCreateRequest) async throws -> Conversation {
        try await rest.request(.post, "/v1/conversations", body: attributes)
    }

    /// A handle on one conversation. Makes no request.
    public func one(_ id: String) -> ConversationHandle {
        ConversationHandle(id: id, rest: rest)
    }
}
