/// What one write transaction produced: the value the caller gets back, the events it
/// leaves for after the commit, and the outbound jobs (webhooks, pushes) it causes. A service
/// builds it inside `ChangeCommitter.commit`, which writes the events and the jobs in the same
/// transaction and publishes the events once it has committed.
struct Change<Result: Sendable>: Sendable {
    var result: Result
    var events: [DomainEvent]
    var jobs: [OutboundJob]

    init(_ result: Result, events: [DomainEvent] = [], jobs: [OutboundJob] = []) {
        self.result = result
        self.events = events
        self.jobs = jobs
    }
}

extension Change where Result == Void {
    /// A change whose caller needs no value back.
    init(events: [DomainEvent], jobs: [OutboundJob] = []) { self.init((), events: events, jobs: jobs) }
}
