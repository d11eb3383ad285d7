import PoolseWire

/// A topic a client may join (PROTOCOL.md §6).
enum Topic: Hashable, Sendable {
    /// `conversation:<id>`: members only.
    case conversation(id: String)
    /// `user:<id>`: only the token's own user.
    case user(id: String)
    /// `voice:conversation:<id>`: the conversation's voice room, members only.
    case voice(conversationId: String)

    /// Parses `conversation:<id>` and `user:<id>`; nil for anything else.
    init?(_ name: String) {
        if let id = Self.id(in: name, after: "conversation:") {
            self = .conversation(id: id)
        } else if let id = Self.id(in: name, after: "user:") {
            self = .user(id: id)
        } else if let id = Self.id(in: name, after: VoiceEvent.topicPrefix) {
            self = .voice(conversationId: id)
        } else {
            return nil
        }
    }

    /// The topic as it appears in frames.
    var name: String {
        switch self {
        case .conversation(let id): RealtimeMessage.conversationTopic(id)
        case .user(let id): RealtimeMessage.userTopic(id)
        case .voice(let id): VoiceEvent.topic(id)
        }
    }

    private static func id(in name: String, after prefix: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        let id = String(name.dropFirst(prefix.count))
        // Ids are UUIDs; anything else can never be authorized, so refuse it before a lookup.
        return IDs.canonical(id) == id ? id : nil
    }
}
