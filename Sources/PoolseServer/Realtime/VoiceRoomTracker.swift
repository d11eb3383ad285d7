import PoolseWire

/// Who is in each voice room (`voice:conversation:<id>`), cluster-wide: this node's sockets
/// and what other nodes announced (`GatewayCommand.voice…`), keyed by node so that a node
/// gone silent is dropped whole, as `PresenceTracker` does for conversation presence. Being
/// subscribed to the topic is not being in the room: a socket is in it from its `voice:join`
/// until `voice:leave`, leaving the topic, or its end. Pure: the gateway sends what it returns.
struct VoiceRoomTracker {
    /// Whose entry it is: a socket of this node, or one another node announced.
    enum Owner: Hashable {
        case socket(SocketID)
        case remote(node: String, ref: String)
    }

    struct Entry: Equatable {
        /// Unique per socket and room join; how other nodes name the entry.
        let ref: String
        var meta: VoiceMeta
    }

    private var rooms: [String: [Owner: Entry]] = [:]

    /// Adds or replaces an entry; true when it is new (a `voice:joined` is due).
    @discardableResult
    mutating func put(topic: String, owner: Owner, _ entry: Entry) -> Bool {
        let isNew = rooms[topic]?[owner] == nil
        rooms[topic, default: [:]][owner] = entry
        return isNew
    }

    /// Removes an entry; it, or nil when it was not there.
    mutating func remove(topic: String, owner: Owner) -> Entry? {
        guard let entry = rooms[topic]?.removeValue(forKey: owner) else { return nil }
        if rooms[topic]?.isEmpty == true { rooms[topic] = nil }
        return entry
    }

    func entry(topic: String, owner: Owner) -> Entry? { rooms[topic]?[owner] }

    /// Whether any socket of `userId`, on any node, is in the room.
    func contains(topic: String, userId: String) -> Bool {
        rooms[topic]?.values.contains { $0.meta.userId == userId } ?? false
    }

    /// Everyone in the room, as `voice:presence_state` lists it (metas in join order).
    func state(of topic: String) -> VoicePresenceState {
        var state: VoicePresenceState = [:]
        let entries = (rooms[topic] ?? [:]).values.sorted { ($0.meta.joinedAt, $0.ref) < ($1.meta.joinedAt, $1.ref) }
        for entry in entries { state[entry.meta.userId, default: VoicePresenceEntry(metas: [])].metas.append(entry.meta) }
        return state
    }

    /// This node's own entries, for its heartbeat.
    var localEntries: [VoiceAnnouncement] {
        rooms.flatMap { topic, entries in
            entries.compactMap { owner, entry -> VoiceAnnouncement? in
                guard case .socket = owner else { return nil }
                return VoiceAnnouncement(topic: topic, ref: entry.ref, meta: entry.meta)
            }
        }
    }

    /// Makes `node`'s entries exactly `announced` (its heartbeat, or nothing when it went
    /// silent); returns who joined and who left, room by room.
    mutating func replace(node: String, with announced: [VoiceAnnouncement])
        -> (joined: [(topic: String, userId: String)], left: [(topic: String, userId: String)]) {
        var joined: [(String, String)] = []
        var left: [(String, String)] = []
        let wanted = Set(announced.map { Owner.remote(node: node, ref: $0.ref) })
        for (topic, entries) in rooms {
            for (owner, _) in entries {
                guard case .remote(let owning, _) = owner, owning == node, !wanted.contains(owner),
                      let entry = remove(topic: topic, owner: owner) else { continue }
                left.append((topic, entry.meta.userId))
            }
        }
        for announcement in announced {
            let owner = Owner.remote(node: node, ref: announcement.ref)
            if put(topic: announcement.topic, owner: owner, Entry(ref: announcement.ref, meta: announcement.meta)) {
                joined.append((announcement.topic, announcement.meta.userId))
            }
        }
        return (joined, left)
    }
}

/// One voice-room entry as a node announces it to the others.
struct VoiceAnnouncement: Codable, Hashable, Sendable {
    let topic: String
    let ref: String
    let meta: VoiceMeta
}
