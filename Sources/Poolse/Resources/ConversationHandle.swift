import Foundation

/// One conversation, by id (`chat.conversations.one(id)`). Creating a handle makes no
/// request; each method is one call.
public struct ConversationHandle: Sendable {
    /// The conversation id.
    public let id: String
    /// The conversation's messages.
    public let messages: ConversationMessages
    /// The conversation's pinned messages.
    public let pins: ConversationPins
    let rest: RESTClient

    /// Bans from this conversation (owner and admins).
    public var bans: ConversationBans { ConversationBans(conversationID: id, rest: rest) }

    init(id: String, rest: RESTClient) {
        self.id = id
        self.rest = rest
        messages = ConversationMessages(conversationID: id, rest: rest)
        pins = ConversationPins(conversationID: id, rest: rest)
    }

    var path: String { "/v1/conversations/" + RequestURL.segment(id) }

    /// The conversation. `GET /v1/conversations/:id`.
    public func show() async throws -> Conversation {
        try await rest.request(.get, path)
    }

    /// Changes the given fields (owner or admin only); absent fields stay, `.some(nil)`
    /// clears. `PATCH /v1/conversations/:id`.
    public func update(_ attributes: ConversationUpdateRequest) async throws -> Conversation {
        try await rest.request(.patch, path, body: attributes)
    }

    /// Every member with their role and read cursor. `GET /v1/conversations/:id/members`.
    public func listMembers() async throws -> DataList<Membership> {
        try await rest.request(.get, path + "/members")
    }

    /// Adds users by your external ids (owner or admin only); unknown ids are
    /// provisioned, existing members are not duplicated.
    /// `POST /v1/conversations/:id/members` `{external_ids, role}`.
    /// - Parameter role: The new members' role; nil lets the server choose (`member`).
    public func addMembers(_ externalIDs: [String], role: MemberRole? = nil) async throws -> DataList<Membership> {
        try await rest.request(.post, path + "/members", body: AddMembersRequest(externalIds: externalIDs, role: role))
    }

    /// Adds one user by external id and returns their membership.
    /// `POST /v1/conversations/:id/members`; when the answer leaves the user out (they
    /// were a member already), their membership is read with ``listMembers()``.
    /// - Throws: ``InvalidResponseError`` when neither call returns that user.
    public func addMember(_ externalID: String, role: MemberRole? = nil) async throws -> Membership {
        let added = try await addMembers([externalID], role: role).data
        if let membership = added.first(where: { $0.externalId == externalID }) { return membership }
        let members = try await listMembers().data
        if let membership = members.first(where: { $0.externalId == externalID }) { return membership }
        throw InvalidResponseError(status: 200, underlying: nil, body: .init())
    }

    /// Removes a member by poolse user id (owner or admin removes anyone but the
    /// owner; anyone may remove themself). `DELETE /v1/conversations/:id/members/:user_id`.
    public func removeMember(_ userID: String) async throws {
        try await rest.request(.delete, path + "/members/" + RequestURL.segment(userID))
    }

    /// Mutes the conversation for you until `until` (until you unmute when nil): unread
    /// counts go on, mention events and pushes stop. `PUT /v1/conversations/:id/mute`.
    @discardableResult
    public func mute(until: Date? = nil) async throws -> Membership {
        try await rest.request(.put, path + "/mute", body: MuteRequest(until: until))
    }

    /// Ends your mute. `DELETE /v1/conversations/:id/mute`.
    @discardableResult
    public func unmute() async throws -> Membership {
        try await rest.request(.delete, path + "/mute")
    }
}
