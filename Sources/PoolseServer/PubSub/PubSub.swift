import PoolseWire

/// One realtime event on its way to the gateway: a Phoenix topic, an event name and its payload.
///
/// The payload is JSON text, encoded once where the event is made: the gateway splices it into
/// every frame and the PostgreSQL pub/sub into every notification without decoding it again.
struct RealtimeMessage: Sendable, Equatable {
    let topic: String
    let event: String
    /// The payload as compact JSON text.
    let payloadJSON: String
    /// When set, this user's sockets do not receive the event (typing goes to peers only).
    var exceptUserId: String? = nil
    /// Users whose sockets must not receive the event either: the members who block its actor
    /// (the sender of a message), computed when the event is made.
    var hiddenFrom: [String] = []

    /// Whether `userId`'s sockets are left out.
    func excludes(_ userId: String) -> Bool {
        userId == exceptUserId || (!hiddenFrom.isEmpty && hiddenFrom.contains(userId))
    }

    init(topic: String, event: String, payloadJSON: String, exceptUserId: String? = nil) {
        self.topic = topic
        self.event = event
        self.payloadJSON = payloadJSON
        self.exceptUserId = exceptUserId
    }

    init(topic: String, event: String, payload: JSONValue, exceptUserId: String? = nil) {
        self.init(topic: topic, event: event, payloadJSON: payload.jsonText, exceptUserId: exceptUserId)
    }

    /// Encodes `value` with the wire's encoder as the payload.
    init<Payload: Encodable>(topic: String, event: String, encoding value: Payload, exceptUserId: String? = nil) throws {
        self.init(topic: topic, event: event,
                  payloadJSON: String(decoding: try WireCoding.encoder.encode(value), as: UTF8.self),
                  exceptUserId: exceptUserId)
    }

    /// The payload read back (commands, ordering and tests look inside; delivery does not).
    var payload: JSONValue { (try? JSONValue.parse(payloadJSON)) ?? .null }

    /// Equal when topic, event, exclusion and payload value are (key order in the text does not matter).
    static func == (lhs: RealtimeMessage, rhs: RealtimeMessage) -> Bool {
        lhs.topic == rhs.topic && lhs.event == rhs.event && lhs.exceptUserId == rhs.exceptUserId
            && lhs.hiddenFrom == rhs.hiddenFrom && (lhs.payloadJSON == rhs.payloadJSON || lhs.payload == rhs.payload)
    }

    static func conversationTopic(_ id: String) -> String { "conversation:\(id)" }
    static func userTopic(_ id: String) -> String { "user:\(id)" }
}

/// Carries events from the domain (after commit, through `EventRelay`) to every gateway that serves a topic.
/// In-process for one node; a PostgreSQL implementation lets several nodes share it.
protocol PubSub: Sendable {
    /// Publishes events in order; false when they could not be handed on (the outbox then
    /// keeps them for a later sweep, see `EventRelay`).
    @discardableResult
    func publish(_ messages: [RealtimeMessage]) async -> Bool
    /// A stream of every event published from now on.
    func subscribe() async -> AsyncStream<RealtimeMessage>
    /// Per-conversation turns that make publish order follow commit order (see `PublishLanes`).
    var lanes: PublishLanes { get }
    /// Stops delivering; streams end.
    func close() async
}

extension PubSub {
    /// One process-wide set of lanes for implementations that keep none of their own.
    var lanes: PublishLanes { PublishLanes.shared }

    func close() async {}
}
