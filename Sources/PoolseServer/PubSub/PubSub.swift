import PoolseWire

/// One realtime event on its way to the gateway: a Phoenix topic, an event name and its payload.
struct RealtimeMessage: Sendable, Equatable {
    let topic: String
    let event: String
    let payload: JSONValue
    /// When set, this user's sockets do not receive the event (typing goes to peers only).
    var exceptUserId: String? = nil

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
