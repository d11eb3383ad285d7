/// Who is typing where, on this node, with the deadline of their `typing:stop`. Pure: time comes
/// in as an argument; the gateway publishes the starts and stops it returns, and wakes at
/// `nextDeadline` to `expire` the typists whose time is up.
struct TypingTracker {
    /// A user typing in a conversation (all their sockets count as one typist).
    struct Key: Hashable, Sendable {
        let conversationId: String
        let userId: String
    }

    private struct Typist {
        var deadline: ContinuousClock.Instant
        let externalId: String
    }

    /// How long after the last `typing` peers get `typing:stop`.
    let timeout: Duration
    private var typists: [Key: Typist] = [:]

    init(timeout: Duration) { self.timeout = timeout }

    /// A `typing` push at `now`. True when this starts typing (publish `typing:start`); false
    /// when it only moves the deadline of a typist who is already typing.
    mutating func typed(_ key: Key, externalId: String, at now: ContinuousClock.Instant) -> Bool {
        let deadline = now + timeout
        if typists[key] != nil {
            typists[key]?.deadline = deadline
            return false
        }
        typists[key] = Typist(deadline: deadline, externalId: externalId)
        return true
    }

    /// Ends the typing of everyone whose deadline has come by `now`: the keys and external ids
    /// for their `typing:stop`.
    mutating func expire(at now: ContinuousClock.Instant) -> [(key: Key, externalId: String)] {
        guard !typists.isEmpty else { return [] }
        var stopped: [(key: Key, externalId: String)] = []
        for (key, typist) in typists where typist.deadline <= now {
            typists[key] = nil
            stopped.append((key, typist.externalId))
        }
        return stopped
    }

    /// The earliest deadline, when anyone is typing.
    var nextDeadline: ContinuousClock.Instant? { typists.values.lazy.map(\.deadline).min() }

    /// Typing ends early (the user sent a message or left). The external id for `typing:stop`
    /// when the user was typing; nil otherwise.
    mutating func stop(_ key: Key) -> String? {
        typists.removeValue(forKey: key).map(\.externalId)
    }

    /// Whether the user is typing in the conversation.
    func isTyping(_ key: Key) -> Bool { typists[key] != nil }

    /// Whether anybody is typing on this node (lets a send skip reading its sender when nobody is).
    var isAnyoneTyping: Bool { !typists.isEmpty }
}
