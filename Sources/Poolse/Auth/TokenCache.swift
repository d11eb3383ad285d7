import Foundation

/// Holds the end-user token so `getToken` runs once per token lifetime, not per request.
///
/// - A JWT is reused until ``refreshLeeway`` (30 s) before its `exp` claim, so a
///   request never leaves with a token about to expire in flight.
/// - A token that is not a JWT (no readable `exp`) is reused for
///   ``opaqueTokenLifetime`` (60 s): long enough to spare `getToken` during a burst,
///   short enough that a rotated opaque token is picked up soon.
/// - `nil` (anonymous) and thrown errors are never cached.
/// - Concurrent callers share one in-flight `getToken` call.
actor TokenCache {
    /// How long before a JWT's `exp` the cache asks for a new one.
    static let refreshLeeway: TimeInterval = 30
    /// How long a token without a readable `exp` is reused.
    static let opaqueTokenLifetime: TimeInterval = 60

    private let fetch: @Sendable () async throws -> String?
    private let now: @Sendable () -> Date
    private var cached: (token: String, refreshAt: Date)?
    /// Bumped by every invalidation so a refresh that started before it is not stored.
    private var generation = 0
    private let flights = SingleFlight<Int, String?>()

    /// Creates a cache over `fetch` (the configuration's `getToken`), reading time from `now`.
    init(fetch: @escaping @Sendable () async throws -> String?, now: @escaping @Sendable () -> Date) {
        self.fetch = fetch
        self.now = now
    }

    /// A token to send: the cached one while fresh, else the result of one shared `getToken` call.
    func token() async throws -> String? {
        if let cached, now() < cached.refreshAt { return cached.token }
        let generation = self.generation
        let fetch = self.fetch
        return try await flights.run(generation) {
            let token = try await fetch()
            await self.store(token, generation: generation)
            return token
        }
    }

    /// Drops the cached token if it is `rejected` (the one a 401 answered), so the next
    /// ``token()`` calls `getToken`. A token some other request already refreshed stays.
    func invalidate(ifCurrent rejected: String?) {
        guard let cached, cached.token == rejected else { return }
        self.cached = nil
        generation += 1
    }

    /// Callers waiting on the current refresh (lets tests know a burst has fully joined).
    func waitingCallers() async -> Int { await flights.waiterCount(for: generation) }

    private func store(_ token: String?, generation: Int) {
        guard generation == self.generation, let token else { return }
        let refreshAt: Date
        if let expiry = JWTExpiry.expiry(of: token) {
            refreshAt = expiry.addingTimeInterval(-Self.refreshLeeway)
        } else {
            refreshAt = now().addingTimeInterval(Self.opaqueTokenLifetime)
        }
        cached = (token, refreshAt)
    }
}
