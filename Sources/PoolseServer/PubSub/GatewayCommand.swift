import PoolseWire

/// Instructions for every gateway node, published through `PubSub` after commit like events so
/// that they keep their place in the conversation's order. They travel on the reserved topic
/// `gateway`, which no client can join, and are never delivered to a socket.
enum GatewayCommand: Sendable, Equatable {
    /// Drop the user from `conversation:<id>`: `phx_close` at once, nothing more from the topic.
    case revokeMembership(conversationId: String, userId: String)
    /// Close every socket of the user (blocked), after a `phx_close` for each joined topic.
    case disconnectUser(userId: String)

    static let topic = "gateway"

    /// The command as a pub/sub message.
    var message: RealtimeMessage {
        switch self {
        case .revokeMembership(let conversationId, let userId):
            RealtimeMessage(topic: Self.topic, event: "revoke_membership",
                            payload: ["conversation_id": .string(conversationId), "user_id": .string(userId)])
        case .disconnectUser(let userId):
            RealtimeMessage(topic: Self.topic, event: "disconnect_user", payload: ["user_id": .string(userId)])
        }
    }

    /// Reads a command back; nil for ordinary events and unknown commands.
    init?(_ message: RealtimeMessage) {
        guard message.topic == Self.topic, let fields = message.payload.objectValue,
              let userId = fields["user_id"]?.stringValue
        else { return nil }
        switch message.event {
        case "revoke_membership":
            guard let conversationId = fields["conversation_id"]?.stringValue else { return nil }
            self = .revokeMembership(conversationId: conversationId, userId: userId)
        case "disconnect_user":
            self = .disconnectUser(userId: userId)
        default:
            return nil
        }
    }
}
