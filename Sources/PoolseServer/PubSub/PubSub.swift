import PoolseWire

/// One realtime event on its way to the gateway: a Phoenix topic, an event name and its payload.
struct RealtimeMessage: Sendable, Equatable {
    let topic: String
    let event: String
    let payload: JSONValue

    static func conversationTopic(_ id: String) -> String { "conversation:\(id)" }
    static func userTopic(_ id: String) -> String { "user:\(id)" }
}

/// Carries events from the domain (after commit) to every gateway that serves a topic.
/// In-process for one node; a PostgreSQL implementation lets several nodes share it.
protocol PubSub: Sendable {
    /// Publishes events in order.
    func publish(_ messages: [RealtimeMessage]) async
    /// A stream of every event published from now on.
    func subscribe() async -> AsyncStream<RealtimeMessage>
}
