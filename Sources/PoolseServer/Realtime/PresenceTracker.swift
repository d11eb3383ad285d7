import PoolseWire

/// Who is on each conversation topic, in Phoenix.Presence's format: one meta per socket, so a
/// user on two devices has two metas. Holds this node's sockets and what other nodes announced
/// (`GatewayCommand.presence…`), keyed by node so a node that goes silent can be dropped whole.
/// Pure: the gateway sends what it returns.
struct PresenceTracker {
    /// Whose presence an entry is: a socket of this node, or a meta announced by another node.
    enum Owner: Hashable {
        case socket(SocketID)
        case remote(node: String, phxRef: String)
    }

    private struct Entry {
        let userId: String
        let meta: PresenceMeta
    }

    private var topics: [String: [Owner: Entry]] = [:]

    /// Adds the socket to `topic`: the state the joiner gets (itself included) and the diff everyone gets.
    mutating func join(topic: String, socket: SocketID, userId: String,
                       meta: PresenceMeta) -> (state: PresenceState, diff: PresenceDiff) {
        let diff = join(topic: topic, owner: .socket(socket), userId: userId, meta: meta)
        return (state(of: topic), diff)
    }

    /// Adds or replaces one entry; the diff everyone on the topic gets.
    mutating func join(topic: String, owner: Owner, userId: String, meta: PresenceMeta) -> PresenceDiff {
        let previous = topics[topic]?[owner]
        topics[topic, default: [:]][owner] = Entry(userId: userId, meta: meta)
        var leaves: PresenceState = [:]
        if let previous { leaves[previous.userId] = PresenceEntry(metas: [previous.meta]) }
        return PresenceDiff(joins: [userId: PresenceEntry(metas: [meta])], leaves: leaves)
    }

    /// Removes the socket from `topic`; the diff to send, or nil when it was not there.
    mutating func leave(topic: String, socket: SocketID) -> PresenceDiff? {
        leave(topic: topic, owner: .socket(socket))
    }

    /// Removes one entry; the diff to send, or nil when it was not there.
    mutating func leave(topic: String, owner: Owner) -> PresenceDiff? {
        guard let entry = topics[topic]?.removeValue(forKey: owner) else { return nil }
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

    /// This node's own entries, for its presence heartbeat.
    var localEntries: [PresenceAnnouncement] {
        topics.flatMap { topic, entries in
            entries.compactMap { owner, entry -> PresenceAnnouncement? in
                guard case .socket = owner else { return nil }
                return PresenceAnnouncement(topic: topic, userId: entry.userId, meta: entry.meta)
            }
        }
    }

    /// Makes `node`'s entries exactly `announced` (its heartbeat); the diffs to send, per topic.
    mutating func replace(node: String, with announced: [PresenceAnnouncement]) -> [(topic: String, diff: PresenceDiff)] {
        var diffs: [String: PresenceDiff] = [:]
        let wanted = Set(announced.map { Owner.remote(node: node, phxRef: $0.meta.phxRef) })
        for (topic, entries) in topics {
            for owner in entries.keys where Self.node(of: owner) == node && !wanted.contains(owner) {
                if let diff = leave(topic: topic, owner: owner) { diffs[topic, default: .empty].merge(diff) }
            }
        }
        for entry in announced {
            let owner = Owner.remote(node: node, phxRef: entry.meta.phxRef)
            guard topics[entry.topic]?[owner] == nil else { continue }
            diffs[entry.topic, default: .empty].merge(join(topic: entry.topic, owner: owner, userId: entry.userId,
                                                           meta: entry.meta))
        }
        return diffs.map { ($0.key, $0.value) }
    }

    /// Drops every entry of `node` (gone silent); the diffs to send, per topic.
    mutating func drop(node: String) -> [(topic: String, diff: PresenceDiff)] {
        replace(node: node, with: [])
    }

    private static func node(of owner: Owner) -> String? {
        if case .remote(let node, _) = owner { return node }
        return nil
    }
}

/// One presence meta as a node announces it to the others.
struct PresenceAnnouncement: Codable, Hashable, Sendable {
    let topic: String
    let userId: String
    let meta: PresenceMeta

    enum CodingKeys: String, CodingKey { case topic, userId = "user_id", meta }
}

extension PresenceDiff {
    static let empty = PresenceDiff(joins: [:], leaves: [:])

    /// Adds another diff's joins and leaves (one meta per socket, so metas just accumulate).
    mutating func merge(_ other: PresenceDiff) {
        for (userId, entry) in other.joins { joins[userId, default: PresenceEntry(metas: [])].metas += entry.metas }
        for (userId, entry) in other.leaves { leaves[userId, default: PresenceEntry(metas: [])].metas += entry.metas }
    }
}
