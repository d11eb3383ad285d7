/// One connected socket of a user, in Phoenix.Presence's format.
public struct PresenceMeta: Codable, Hashable, Sendable {
    /// Unique per socket and join.
    public var phxRef: String
    /// Unix seconds when the socket joined.
    public var onlineAt: Int64
    /// The user's external id.
    public var externalId: String?

    /// Creates a meta.
    public init(phxRef: String, onlineAt: Int64, externalId: String?) {
        self.phxRef = phxRef
        self.onlineAt = onlineAt
        self.externalId = externalId
    }

    enum CodingKeys: String, CodingKey { case phxRef = "phx_ref", onlineAt = "online_at", externalId = "external_id" }
}

/// A user's presence entry: one meta per connected socket.
public struct PresenceEntry: Codable, Hashable, Sendable {
    /// The sockets.
    public var metas: [PresenceMeta]

    /// Creates an entry.
    public init(metas: [PresenceMeta]) { self.metas = metas }
}

/// `presence_state`: user id → entry.
public typealias PresenceState = [String: PresenceEntry]

/// `presence_diff`: who joined and who left since the last state or diff.
public struct PresenceDiff: Codable, Hashable, Sendable {
    /// New metas by user id.
    public var joins: PresenceState
    /// Gone metas by user id.
    public var leaves: PresenceState

    /// Creates a diff.
    public init(joins: PresenceState, leaves: PresenceState) {
        self.joins = joins
        self.leaves = leaves
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        joins = try c.decodeIfPresent(PresenceState.self, forKey: .joins) ?? [:]
        leaves = try c.decodeIfPresent(PresenceState.self, forKey: .leaves) ?? [:]
    }

    enum CodingKeys: String, CodingKey { case joins, leaves }
}

extension Dictionary where Key == String, Value == PresenceEntry {
    /// Applies a diff the way Phoenix.Presence's `syncDiff` does: joins add metas
    /// (replacing a meta with the same `phx_ref`), leaves remove metas, and users with
    /// no metas left disappear.
    public func applying(_ diff: PresenceDiff) -> PresenceState {
        var state = self
        for (userId, joined) in diff.joins {
            var metas = state[userId]?.metas ?? []
            let newRefs = Set(joined.metas.map(\.phxRef))
            metas.removeAll { newRefs.contains($0.phxRef) }
            metas.append(contentsOf: joined.metas)
            state[userId] = PresenceEntry(metas: metas)
        }
        for (userId, left) in diff.leaves {
            guard var entry = state[userId] else { continue }
            let goneRefs = Set(left.metas.map(\.phxRef))
            entry.metas.removeAll { goneRefs.contains($0.phxRef) }
            state[userId] = entry.metas.isEmpty ? nil : entry
        }
        return state
    }
}
