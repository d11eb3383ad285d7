/// What one write transaction produced: the value the caller gets back, and the events it
/// leaves for after the commit. A service builds it inside `ChangeCommitter.commit`, which
/// writes the events in the same transaction and publishes them once it has committed.
struct Change<Result: Sendable>: Sendable {
    var result: Result
    var events: [DomainEvent]

    init(_ result: Result, events: [DomainEvent] = []) {
        self.result = result
        self.events = events
    }
}

extension Change where Result == Void {
    /// A change whose caller needs no value back.
    init(events: [DomainEvent]) { self.init((), events: events) }
}
