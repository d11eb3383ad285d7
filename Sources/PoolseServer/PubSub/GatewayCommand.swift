import PoolseWire

/// Instructions for every gateway node, published through `PubSub` after commit like events so
/// that they keep their place in the conversation's order. They travel on the reserved topic
/// `gateway`, which no client can join, and are never delivered to a socket.
enum GatewayCommand: Sendable, Equatable {
    /// Drop the user from `conversation:<id>`: `phx_close` at once, nothing more from the topic.
    case revokeMembership(conversationId: String, userId: String)
    /// Close every socket of the user (blocked), after a `phx_close` for each joined topic.
    case disconnectUser(userId: String)
    /// The users `userId` blocks now: their typing and presence are no longer shown to them.
    case blocksChanged(userId: String, blocked: [String])
    /// A socket of `node` joined a conversation topic.
    case presenceJoin(node: String, PresenceAnnouncement)
    /// A socket of `node` left a conversation topic.
    case presenceLeave(node: String, PresenceAnnouncement)
    /// Everything `node` has on its sockets, sent periodically: it replaces what others knew of
    /// that node, and a node silent for too long is dropped (it died without saying so).
    case presenceHeartbeat(node: String, [PresenceAnnouncement])
    /// `node` just started: every other node answers with a heartbeat at once.
    case presenceHello(node: String)
    /// A socket of `node` joined a voice room, or changed its mute or speaking state.
    case voiceJoin(node: String, VoiceAnnouncement)
    /// A socket of `node` left a voice room.
    case voiceLeave(node: String, VoiceAnnouncement)
    /// Every voice-room entry of `node`, sent with its presence heartbeat.
    case voiceHeartbeat(node: String, [VoiceAnnouncement])

    static let topic = "gateway"

    /// The command as a pub/sub message.
    var message: RealtimeMessage {
        switch self {
        case .revokeMembership(let conversationId, let userId):
            RealtimeMessage(topic: Self.topic, event: "revoke_membership",
                            payload: ["conversation_id": .string(conversationId), "user_id": .string(userId)])
        case .disconnectUser(let userId):
            RealtimeMessage(topic: Self.topic, event: "disconnect_user", payload: ["user_id": .string(userId)])
        case .blocksChanged(let userId, let blocked):
            RealtimeMessage(topic: Self.topic, event: "blocks_changed",
                            payload: ["user_id": .string(userId), "blocked": .array(blocked.map(JSONValue.string))])
        case .presenceJoin(let node, let entry):
            Self.presence("presence_join", node: node, entries: [entry])
        case .presenceLeave(let node, let entry):
            Self.presence("presence_leave", node: node, entries: [entry])
        case .presenceHeartbeat(let node, let entries):
            Self.presence("presence_heartbeat", node: node, entries: entries)
        case .presenceHello(let node):
            Self.presence("presence_hello", node: node, entries: [PresenceAnnouncement]())
        case .voiceJoin(let node, let entry):
            Self.presence("voice_join", node: node, entries: [entry])
        case .voiceLeave(let node, let entry):
            Self.presence("voice_leave", node: node, entries: [entry])
        case .voiceHeartbeat(let node, let entries):
            Self.presence("voice_heartbeat", node: node, entries: entries)
        }
    }

    private static func presence<Entry: Encodable>(_ event: String, node: String, entries: [Entry]) -> RealtimeMessage {
        RealtimeMessage(topic: topic, event: event,
                        payload: ["node": .string(node), "entries": (try? JSONValue.from(entries)) ?? .array([])])
    }

    /// The node a presence command comes from, read without decoding its entries; nil for
    /// other commands and events.
    static func node(of message: RealtimeMessage) -> String? {
        guard message.topic == topic, message.event.hasPrefix("presence_") || message.event.hasPrefix("voice_") else {
            return nil
        }
        return message.payload.objectValue?["node"]?.stringValue
    }

    /// Reads a command back; nil for ordinary events and unknown commands.
    init?(_ message: RealtimeMessage) {
        guard message.topic == Self.topic, let fields = message.payload.objectValue else { return nil }
        if message.event.hasPrefix("presence_") {
            guard let node = fields["node"]?.stringValue,
                  let entries = try? fields["entries"]?.decode(as: [PresenceAnnouncement].self)
            else { return nil }
            switch message.event {
            case "presence_join":
                guard let entry = entries.first else { return nil }
                self = .presenceJoin(node: node, entry)
            case "presence_leave":
                guard let entry = entries.first else { return nil }
                self = .presenceLeave(node: node, entry)
            case "presence_heartbeat":
                self = .presenceHeartbeat(node: node, entries)
            case "presence_hello":
                self = .presenceHello(node: node)
            default:
                return nil
            }
            return
        }
        if message.event.hasPrefix("voice_") {
            guard let node = fields["node"]?.stringValue,
                  let entries = try? fields["entries"]?.decode(as: [VoiceAnnouncement].self)
            else { return nil }
            switch message.event {
            case "voice_join":
                guard let entry = entries.first else { return nil }
                self = .voiceJoin(node: node, entry)
            case "voice_leave":
                guard let entry = entries.first else { return nil }
                self = .voiceLeave(node: node, entry)
            case "voice_heartbeat":
                self = .voiceHeartbeat(node: node, entries)
            default:
                return nil
            }
            return
        }
        guard let userId = fields["user_id"]?.stringValue else { return nil }
        switch message.event {
        case "revoke_membership":
            guard let conversationId = fields["conversation_id"]?.stringValue else { return nil }
            self = .revokeMembership(conversationId: conversationId, userId: userId)
        case "disconnect_user":
            self = .disconnectUser(userId: userId)
        case "blocks_changed":
            self = .blocksChanged(userId: userId, blocked: fields["blocked"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        default:
            return nil
        }
    }
}
