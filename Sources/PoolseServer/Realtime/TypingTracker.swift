/// Who is typing where, on this node, with the deadline of their `typing:stop`. Pure: time comes in
/// as an argument, and the gateway publishes the starts and stops it returns and runs one timer
/// per typist.
struct TypingTracker {
    /// A user typing in a conversation (all their sockets count as one typist).
    struct Key: Hashable, Sendable {
        let conversationId: String
        let userId: String
    }

    /// What a timer should do when it wakes.
    enum TimerOutcome: Equatable {
        /// Typing went on: sleep again until then.
        case sleep(until: ContinuousClock.Instant)
        /// Time is up: publish `typing:stop` (with this external id).
        case stop(externalId: String)
        /// Already stopped (a message was sent, or the user left): nothing to do.
        case done
    }

    private struct Typist {
        var deadline: ContinuousClock.Instant
        let externalId: String
    }

    /// How long after the last `typing` peers get `typing:stop`.
    let timeout: Duration
    private var typists: [Key: Typist] = [:]

    init(timeout: Duration) { self.timeout = timeout }

    /// A `typing` push at `now`. True when this starts typing (publish `typing:start` and start a
    /// timer); false when it only moves the deadline of a typist who is already typing.
    mutating func typed(_ key: Key, externalId: String, at now: ContinuousClock.Instant) -> Bool {
        let deadline = now + timeout
        if typists[key] != nil {
            typists[key]?.deadline = deadline
            return false
        }
        typists[key] = Typist(deadline: deadline, externalId: externalId)
        return true
    }

    /// The typist's timer woke at `now`.
    mutating func timerFired(_ key: Key, at now: ContinuousClock.Instant) -> TimerOutcome {
        guard let typist = typists[key] else { return .done }
        guard now >= typist.deadline else { return .sleep(until: typist.deadline) }
        typists[key] = nil
        return .stop(externalId: typist.externalId)
    }

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
