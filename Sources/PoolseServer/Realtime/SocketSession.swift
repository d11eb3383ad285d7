import PoolseWire

/// The Phoenix Channels protocol of one socket as a pure state machine: frames in, actions out.
/// It knows which topics the socket has joined and under which join ref, and holds the socket's
/// join limits (a rate and a topic cap). The driver (`SocketDriver`) carries the actions out; the
/// gateway owns the subscriptions themselves.
struct SocketSession {
    /// A joined topic's join ref (phoenix.js always sends one; a client may send null).
    typealias JoinRef = String?

    /// What the driver must do.
    enum Action: Equatable {
        /// Send this frame to the client.
        case send(PhoenixFrame)
        /// Authorize the join and subscribe. The gateway sends the reply itself (ok or error),
        /// so that it precedes the topic's first event; report success with `joined(_:joinRef:)`.
        /// For a re-join of a joined topic the socket is still subscribed: the gateway keeps the
        /// subscription and its presence (peers see no leave and join), and drops it if the
        /// re-join is refused.
        case join(Topic, request: PhoenixFrame)
        /// Drop the subscription (presence leave, typing stop).
        case unsubscribe(topic: String)
        /// The client is typing in a conversation.
        case typing(conversationId: String)
        /// A `call:*` push on the socket's own `user:<id>` topic: the call service replies.
        case call(PhoenixFrame)
        /// A `voice:*` push in a voice room: the gateway replies.
        case voice(conversationId: String, PhoenixFrame)
    }

    /// Reasons in `phx_reply` errors.
    enum Reason {
        static let unmatchedTopic = "unmatched topic"
        static let unauthorized = "unauthorized"
        static let unhandledEvent = "unhandled event"
        static let rateLimited = "rate_limited"
        static let tooManyTopics = "too_many_topics"
    }

    private(set) var joined: [String: JoinRef] = [:]
    private var joinBudget: SocketBudget
    /// Voice-room pushes are relayed to other nodes: each socket gets a budget of them.
    private var voiceBudget: SocketBudget
    private let maxTopics: Int

    init(joinRate: Rate = RealtimeConfiguration().joinRate,
         maxTopics: Int = RealtimeConfiguration().maxTopicsPerSocket,
         voiceRate: Rate = CallConfiguration().voicePushRate) {
        joinBudget = SocketBudget(rate: joinRate)
        voiceBudget = SocketBudget(rate: voiceRate)
        self.maxTopics = maxTopics
    }

    /// Handles one frame from the client, received at `now`.
    mutating func receive(_ frame: PhoenixFrame, at now: ContinuousClock.Instant) -> [Action] {
        if frame.topic == PhoenixFrame.phoenixTopic {
            guard frame.event == PhoenixFrame.Event.heartbeat else { return [.send(Self.error(frame, Reason.unhandledEvent))] }
            return [.send(frame.reply(status: "ok"))]
        }
        switch frame.event {
        case PhoenixFrame.Event.join:
            // Every join counts, refused or not: each one costs the server a look-up or more.
            guard joinBudget.take(at: now) else { return [.send(Self.error(frame, Reason.rateLimited))] }
            guard let topic = Topic(frame.topic) else { return [.send(Self.error(frame, Reason.unmatchedTopic))] }
            // A second join replaces the first, as in Phoenix: the old one is closed first. The
            // subscription itself stays until the gateway has the new one, so presence does not churn.
            if let joinRef = joined.removeValue(forKey: frame.topic) {
                return [.send(Self.closeFrame(topic: frame.topic, joinRef: joinRef)), .join(topic, request: frame)]
            }
            guard joined.count < maxTopics else { return [.send(Self.error(frame, Reason.tooManyTopics))] }
            return [.join(topic, request: frame)]
        case PhoenixFrame.Event.leave:
            guard let joinRef = joined.removeValue(forKey: frame.topic) else {
                return [.send(Self.error(frame, Reason.unmatchedTopic))]
            }
            return [.unsubscribe(topic: frame.topic), .send(frame.reply(status: "ok")),
                    .send(Self.closeFrame(topic: frame.topic, joinRef: joinRef))]
        default:
            guard joined[frame.topic] != nil else { return [.send(Self.error(frame, Reason.unmatchedTopic))] }
            if frame.event == RealtimeEvent.typing, case .conversation(let id) = Topic(frame.topic) {
                // Acknowledged even when the rate limit drops it: typing is never an error for the client.
                return [.typing(conversationId: id), .send(frame.reply(status: "ok"))]
            }
            switch Topic(frame.topic) {
            case .user? where frame.event.hasPrefix("call:"):
                return [.call(frame)]
            case .voice(let id)? where frame.event.hasPrefix("voice:"):
                guard voiceBudget.take(at: now) else { return [.send(Self.error(frame, Reason.rateLimited))] }
                return [.voice(conversationId: id, frame)]
            default:
                break
            }
            return [.send(Self.error(frame, Reason.unhandledEvent))]
        }
    }

    /// The gateway accepted a join.
    mutating func joined(_ topic: String, joinRef: JoinRef) {
        joined[topic] = .some(joinRef)
    }

    /// The gateway dropped the socket from `topic` (and already sent `phx_close`). A kick for an
    /// older join of a topic that was joined again since is ignored.
    mutating func kicked(from topic: String, joinRef: JoinRef) {
        if let current = joined[topic], current == joinRef { joined[topic] = nil }
    }

    /// The `phx_close` the server sends when a topic ends: `[jr, jr, topic, "phx_close", {}]`.
    static func closeFrame(topic: String, joinRef: JoinRef) -> PhoenixFrame {
        PhoenixFrame(joinRef: joinRef, ref: joinRef, topic: topic, event: PhoenixFrame.Event.close)
    }

    /// An error reply with a reason.
    static func error(_ frame: PhoenixFrame, _ reason: String) -> PhoenixFrame {
        frame.reply(status: "error", response: ["reason": .string(reason)])
    }

}
