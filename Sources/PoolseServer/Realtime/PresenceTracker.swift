import PoolseWire

/// Who is on each conversation topic of this node, in Phoenix.Presence's format: one meta per
/// socket, so a user on two devices has two metas. Pure: the gateway sends what it returns.
struct PresenceTracker {
    private struct Entry {
        let userId: String
        let meta: PresenceMeta
    }

    private var topics: [String: [SocketID: Entry]] = [:]

    /// Adds the socket to `topic`: the state the joiner gets (itself included) and the diff everyone gets.
    mutating func join(topic: String, socket: SocketID, userId: String,
                       meta: PresenceMeta) -> (state: PresenceState, diff: PresenceDiff) {
        let previous = topics[topic]?[socket]
        topics[topic, default: [:]][socket] = Entry(userId: userId, meta: meta)
        var leaves: PresenceState = [:]
        if let previous { leaves[previous.userId] = PresenceEntry(metas: [previous.meta]) }
        return (state(of: topic), PresenceDiff(joins: [userId: PresenceEntry(metas: [meta])], leaves: leaves))
    }

    /// Removes the socket from `topic`; the diff to send, or nil when it was not there.
    mutating func leave(topic: String, socket: SocketID) -> PresenceDiff? {
        guard let entry = topics[topic]?.removeValue(forKey: socket) else { return nil }
        if topics[topic]?.isEmpty == true { topics[topic] = nil }
        return PresenceDiff(joins: [:], leaves: [entry.userId: PresenceEntry(metas: [entry.meta])])
    }

    /// Everyone on `topic`; metas sorted by `phx_ref` so the state is deterministic.
    func state(of topic: String) -> PresenceState {
        var state: PresenceState = [:]
        for entry in (topics[topic] ?? [:]).values.sorted(by: { $0.meta.phxRef < $1.meta.phxRef }) {
            state[entry.userId, default: PresenceEntry(metas: [])].metas.append(entry.meta)
        }
        return state
    }
}
