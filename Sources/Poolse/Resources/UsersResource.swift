/// A read-through cache of your app's user profiles (`chat.users`), keyed by external
/// id and filled by ``PoolseConfiguration/userResolver``. Nothing here talks to the
/// poolse server.
///
/// Concurrent ``get(_:)`` calls for one id share a single resolver call, so a feed
/// with 50 messages from 5 senders resolves 5 times. Results (nil included) stay
/// cached until ``invalidate(_:)`` or ``invalidateAll()``; errors are not cached.
public final class UsersResource: Sendable {
    /// A listener of ``subscribe(_:_:)``.
    public typealias Listener = @Sendable (UserProfileLookup) -> Void

    private struct State {
        /// Present key = resolved; the value is the resolver's answer, nil included.
        var entries: [String: PoolseUserProfile?] = [:]
        /// Bumped per id by `invalidate`, globally by `invalidateAll`, so a resolver
        /// call that started before an invalidation neither lands in the cache nor is
        /// joined by calls made after it.
        var versions: [String: Int] = [:]
        var epoch = 0
        var listeners: [String: [UInt64: Listener]] = [:]
        var lastListenerID: UInt64 = 0

        func flightKey(_ id: String) -> FlightKey {
            FlightKey(id: id, epoch: epoch, version: versions[id, default: 0])
        }
    }

    struct FlightKey: Hashable, Sendable {
        var id: String
        var epoch: Int
        var version: Int
    }

    private let resolver: (@Sendable (String) async throws -> PoolseUserProfile?)?
    private let state = Locked(State())
    private let flights = SingleFlight<FlightKey, PoolseUserProfile?>()

    init(resolver: (@Sendable (String) async throws -> PoolseUserProfile?)?) {
        self.resolver = resolver
    }

    /// The cached answer for `externalID`, without waiting and without calling the resolver.
    public func peek(_ externalID: String) -> UserProfileLookup {
        state.withLock { state in
            guard let entry = state.entries[externalID] else { return .notFetched }
            return UserProfileLookup(entry)
        }
    }

    /// The profile for `externalID`: the cached answer, else the resolver's (one shared
    /// call for concurrent callers). Nil when the resolver returns nil or there is no
    /// resolver (then nothing is cached and ``peek(_:)`` stays ``UserProfileLookup/notFetched``).
    /// - Throws: what the resolver throws (not cached), or `CancellationError`.
    public func get(_ externalID: String) async throws -> PoolseUserProfile? {
        let lookup: (entry: PoolseUserProfile??, key: FlightKey) = state.withLock { state in
            (state.entries[externalID], state.flightKey(externalID))
        }
        if let entry = lookup.entry { return entry }
        guard let resolver else { return nil }
        let key = lookup.key
        return try await flights.run(key) { [self] in
            let profile = try await resolver(externalID)
            store(profile, for: key)
            return profile
        }
    }

    /// Calls `listener` with the new state of `externalID` whenever its entry changes
    /// (resolved, invalidated). Not called with the current state: ``peek(_:)`` for that.
    /// The listener runs on the task that made the change.
    public func subscribe(_ externalID: String, _ listener: @escaping Listener) -> Unsubscribe {
        let listenerID = state.withLock { state in
            state.lastListenerID += 1
            state.listeners[externalID, default: [:]][state.lastListenerID] = listener
            return state.lastListenerID
        }
        return Unsubscribe { [weak self] in
            self?.state.withLock { state in
                state.listeners[externalID]?[listenerID] = nil
                if state.listeners[externalID]?.isEmpty == true { state.listeners[externalID] = nil }
            }
        }
    }

    /// The changes of `externalID` as a stream, for `for await` loops; ends when the
    /// loop's task is cancelled.
    public func changes(of externalID: String) -> AsyncStream<UserProfileLookup> {
        let (stream, continuation) = AsyncStream.makeStream(of: UserProfileLookup.self)
        let unsubscribe = subscribe(externalID) { continuation.yield($0) }
        continuation.onTermination = { _ in unsubscribe() }
        return stream
    }

    /// Forgets `externalID`'s profile so the next ``get(_:)`` asks the resolver again,
    /// e.g. after the user changed their avatar.
    public func invalidate(_ externalID: String) {
        let listeners: [Listener] = state.withLock { state in
            state.versions[externalID, default: 0] += 1
            guard state.entries.removeValue(forKey: externalID) != nil else { return [] }
            return Array(state.listeners[externalID, default: [:]].values)
        }
        listeners.forEach { $0(.notFetched) }
    }

    /// Forgets every profile, e.g. on sign-out or a tenant switch.
    public func invalidateAll() {
        let listeners: [Listener] = state.withLock { state in
            state.epoch += 1
            let ids = state.entries.keys
            state.entries = [:]
            return ids.flatMap { state.listeners[$0, default: [:]].values }
        }
        listeners.forEach { $0(.notFetched) }
    }

    /// Callers waiting on the resolver for `externalID` now (lets tests know a burst has fully joined).
    func waitingCallers(for externalID: String) async -> Int {
        await flights.waiterCount(for: state.withLock { $0.flightKey(externalID) })
    }

    private func store(_ profile: PoolseUserProfile?, for key: FlightKey) {
        let listeners: [Listener] = state.withLock { state in
            guard state.flightKey(key.id) == key else { return [] }
            state.entries[key.id] = .some(profile)
            return Array(state.listeners[key.id, default: [:]].values)
        }
        let lookup = UserProfileLookup(profile)
        listeners.forEach { $0(lookup) }
    }
}
