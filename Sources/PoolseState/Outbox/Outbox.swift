import Foundation
import Observation

/// The sends not yet confirmed by the server, in the order they were made, shared by every
/// model of a ``PoolseSession``.
///
/// A send is written to the store (when there is one) before anything goes out, then
/// posted with its client id and its own `Idempotency-Key`, its files uploaded first.
/// - An answer, or the realtime echo of the message, removes it.
/// - A network error, a 5xx, a 429, a 401 or 409 `idempotency_in_progress` leaves it where
///   it is: the outbox stops (later sends wait, so order holds) and tries again after a
///   backoff, or at once when the realtime socket connects again.
/// - Any other 4xx marks it failed; the sends behind it go on.
/// A send that reached the server before the app died is not stored twice: the server
/// answers the same client id (and the same key) with the message it already has. When
/// the server refuses the key itself (422 `idempotency_key_reused`: another process
/// encoded the same request with its JSON keys in another order; or 409
/// `idempotency_in_progress` for a minute after an attempt died on the server), the send
/// gets a fresh key and goes again: the client id alone keeps it from being stored twice.
@MainActor @Observable
final class Outbox {
    private(set) var entries: [OutboxEntry] = []
    /// The typed errors of failed entries in this process (a relaunch rebuilds them from the store).
    private var errors: [String: any Error] = [:]
    /// The entry being posted now: an echo of it must not remove it under the poster's feet.
    private var inFlight: String?
    private var drainTask: Task<Void, Never>?
    private var retryTask: Task<Void, Never>?
    private var retryDelay: Duration
    private var pendingDrain = false
    /// Off until the session knows the store belongs to the signed-in user.
    @ObservationIgnored var isEnabled = false

    private let client: Poolse
    private let store: PoolseStore?
    private let configuration: PoolseSession.Configuration
    /// Hands a delivered message to the feeds.
    @ObservationIgnored var onDelivered: (Message) -> Void = { _ in }

    init(client: Poolse, store: PoolseStore?, configuration: PoolseSession.Configuration) {
        self.client = client
        self.store = store
        self.configuration = configuration
        retryDelay = configuration.outboxRetryDelay
        entries = (try? store?.outbox()) ?? []
    }

    /// The rows of `conversationID`'s pending and failed sends; `thread` nil for the main
    /// feed, else the root id of a thread.
    func rows(for conversationID: String, thread: String? = nil, replyIDs: Set<String> = []) -> [ChatMessage] {
        entries.compactMap { entry in
            guard entry.conversationID == conversationID else { return nil }
            let replyTo = entry.request.replyToId
            if let thread {
                guard let replyTo, replyTo == thread || replyIDs.contains(replyTo) else { return nil }
            } else if replyTo != nil {
                return nil
            }
            return ChatMessage(message: entry.optimisticMessage, delivery: state(of: entry))
        }
    }

    func contains(_ id: String) -> Bool { entries.contains { $0.id == id } }

    /// Stores the send, then starts posting.
    /// - Throws: what the store throws (then nothing was queued).
    func enqueue(_ entry: OutboxEntry) throws {
        try store?.save(outbox: entry)
        entries.append(entry)
        drain()
    }

    /// The server has the message (its echo arrived): drop the entry unless it is being posted.
    func confirm(_ id: String) {
        guard inFlight != id, contains(id) else { return }
        remove(id, delivered: nil)
    }

    /// Puts a failed send back in line.
    func retry(_ id: String) {
        guard let index = entries.firstIndex(where: { $0.id == id }), entries[index].failure != nil else { return }
        entries[index].failure = nil
        errors[id] = nil
        try? store?.save(outbox: entries[index])
        drain()
    }

    /// Forgets a failed (or pending) send.
    func discard(_ id: String) {
        guard inFlight != id else { return }
        remove(id, delivered: nil)
    }

    /// Posts what is waiting, in order; a call while posting makes the loop look again.
    func drain() {
        retryTask?.cancel()
        retryTask = nil
        guard isEnabled else { return }
        guard drainTask == nil else {
            pendingDrain = true
            return
        }
        drainTask = Task { [weak self] in
            await self?.run()
            self?.drainTask = nil
        }
    }

    /// Reads the entries again from the store (after it was wiped for another user).
    func reload() {
        entries = (try? store?.outbox()) ?? []
        errors = [:]
    }

    /// Stops posting (sign-out).
    func stop() {
        drainTask?.cancel()
        retryTask?.cancel()
        entries = []
        errors = [:]
    }

    private func run() async {
        repeat {
            pendingDrain = false
            while let entry = entries.first(where: { $0.failure == nil }) {
                if Task.isCancelled { return }
                inFlight = entry.id
                defer { inFlight = nil }
                do {
                    let message = try await deliver(entry)
                    remove(entry.id, delivered: message)
                    onDelivered(message)
                } catch let error as APIError where error.code == "idempotency_key_reused" {
                    // The same send from an earlier process: its JSON may list the keys in
                    // another order, so the server sees another body. The client id still
                    // stops a duplicate; a fresh key lets the server answer with it.
                    renewKey(of: entry.id)
                } catch let error where Self.isTransient(error) {
                    // A claim left by an attempt that died on the server side stays "in
                    // progress" for a minute; a fresh key gets past it, the id still dedupes.
                    if (error as? APIError)?.code == "idempotency_in_progress" { renewKey(of: entry.id) }
                    scheduleRetry()
                    return
                } catch {
                    markFailed(entry.id, error)
                }
            }
        } while pendingDrain
        retryDelay = configuration.outboxRetryDelay
    }

    private func deliver(_ entry: OutboxEntry) async throws -> Message {
        var entry = entry
        for index in entry.attachments.indices where entry.attachments[index].uploadedID == nil {
            let attachment = try await client.attachments.upload(entry.attachments[index].input)
            entry.attachments[index].uploadedID = attachment.id
            // Remembered at once: a relaunch must not upload the file a second time.
            if let stored = entries.firstIndex(where: { $0.id == entry.id }) { entries[stored] = entry }
            try? store?.save(outbox: entry)
        }
        var request = entry.request
        let uploaded = entry.attachments.compactMap(\.uploadedID)
        if !uploaded.isEmpty { request.attachmentIds = (request.attachmentIds ?? []) + uploaded }
        let path = "/v1/conversations/" + PathSegment.escape(entry.conversationID) + "/messages"
        return try await client.rest.request(.post, path, body: request, idempotencyKey: .key(entry.idempotencyKey))
    }

    private func state(of entry: OutboxEntry) -> DeliveryState {
        guard let failure = entry.failure else { return .pending }
        return .failed(errors[entry.id] ?? failure.error)
    }

    private func markFailed(_ id: String, _ error: any Error) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return }
        entries[index].failure = OutboxFailure(error)
        errors[id] = error
        try? store?.save(outbox: entries[index])
    }

    private func renewKey(of id: String) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return }
        entries[index].idempotencyKey = client.configuration.generateIdempotencyKey()
        try? store?.save(outbox: entries[index])
    }

    private func remove(_ id: String, delivered: Message?) {
        entries.removeAll { $0.id == id }
        errors[id] = nil
        try? store?.removeFromOutbox(id, delivered: delivered)
    }

    private func scheduleRetry() {
        let delay = retryDelay
        retryDelay = min(retryDelay * 2, configuration.outboxMaxRetryDelay)
        retryTask = Task { [weak self] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            self?.retryTask = nil
            self?.drain()
        }
    }

    /// Worth another try later: the network, the server's health, its rate limit, the
    /// token, or a first attempt still running on the server.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case is NetworkError, is RateLimitedError, is AuthError, is CancellationError: return true
        case let api as APIError: return api.status >= 500 || api.code == "idempotency_in_progress"
        default: return false
        }
    }
}

/// Percent-encodes one path segment (the SDK's own helper is internal).
enum PathSegment {
    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}
