import Foundation
import Logging
import PoolseWire
import PostgresNIO

/// The pub/sub of several nodes sharing one PostgreSQL database: `NOTIFY` on one channel,
/// every node `LISTEN`s on a dedicated connection and hands what arrives to its gateway.
///
/// - A node's own events also come back through PostgreSQL, so every node delivers one stream
///   in one order, whoever published.
/// - Per conversation, events leave a node in commit order (`PublishLanes`), and `NOTIFY`s that
///   commit one after the other are delivered in that order; across nodes `SequenceOrder` puts
///   `message:new` back in `sequence` order (see there why receivers reorder).
/// - A notification over `inlineLimit` bytes (PostgreSQL refuses payloads of 8000 bytes or
///   more) is stored in `realtime_payloads` and travels by id; rows older than
///   `payloadRetention` are deleted by the node that wrote them.
/// - The listening connection reconnects by itself, with backoff `min(0.1 s × 2^attempt, 5 s)`.
///   Events published while it was down are lost for this node (clients fill gaps from history).
actor PostgresPubSub: PubSub {
    /// The `LISTEN`/`NOTIFY` channel.
    static let channel = "poolse_realtime"
    /// Largest payload sent inline, in bytes (PostgreSQL's limit is 8000 bytes, exclusive).
    static let inlineLimit = 7_900

    nonisolated let lanes = PublishLanes()
    private let storage: PostgresStorage
    private let listener: PostgresClient
    private let logger: Logger
    private let payloadRetention: Duration
    private var order: SequenceOrder
    private var subscribers: [UUID: AsyncStream<RealtimeMessage>.Continuation] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var listening = false
    private var waitingForListen: [CheckedContinuation<Void, Never>] = []
    private var expiryScheduled = false
    private var lastPurge = ContinuousClock.now

    /// A pub/sub over `storage`'s database; the listener opens one more connection of its own.
    /// `orderWindow`: how long events wait for a missing `message:new` (default 500 ms).
    init(storage: PostgresStorage, url: String, logger: Logger, orderWindow: Duration = .milliseconds(500),
         payloadRetention: Duration = .seconds(300)) throws {
        self.storage = storage
        listener = PostgresClient(configuration: try PostgresStorage.clientConfiguration(url: url, poolSize: 1),
                                  backgroundLogger: logger)
        self.logger = logger
        self.payloadRetention = payloadRetention
        order = SequenceOrder(window: orderWindow)
    }

    // MARK: - PubSub

    @discardableResult
    func publish(_ messages: [RealtimeMessage]) async -> Bool {
        guard !messages.isEmpty else { return true }
        do {
            try await notify(messages)
            return true
        } catch {
            logger.error("could not publish realtime events",
                         metadata: ["events": .string(messages.map(\.event).joined(separator: ",")),
                                    "error": .string(String(reflecting: error))])
            return false
        }
    }

    /// A stream of every event from now on; the first call starts listening and returns once
    /// `LISTEN` is in place, so nothing published afterwards is missed.
    func subscribe() async -> AsyncStream<RealtimeMessage> {
        let id = UUID()
        // Unbounded: a bounded buffer dropped the oldest events silently once the gateway fell
        // that far behind (message:new lost, order broken). The backlog only grows while the
        // gateway is behind, and the same CPU that delays it also slows the sends feeding it.
        let (stream, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .unbounded)
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(id) }
        }
        if tasks.isEmpty { start() }
        if !listening { await withCheckedContinuation { waitingForListen.append($0) } }
        return stream
    }

    /// Stops listening and ends every subscriber's stream.
    func close() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks = []
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }

    // MARK: - Sending

    /// One `NOTIFY` for the whole batch (a send in an N-member room publishes N + 1 events).
    private func notify(_ messages: [RealtimeMessage]) async throws {
        let batch = NotificationBatch.encode(messages)
        let payload: String
        if batch.utf8.count <= Self.inlineLimit {
            payload = batch
        } else {
            let id = UUID().uuidString.lowercased()
            try await storage.withConnection { connection in
                _ = try await connection.query("""
                    INSERT INTO realtime_payloads (id, body, created_at) VALUES (\(id), \(batch), \(WallClock.nowMicros()))
                    """, logger: self.logger)
            }
            payload = NotificationBatch.reference(id)
        }
        try await storage.withConnection { connection in
            _ = try await connection.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: self.logger)
        }
    }

    // MARK: - Receiving

    private func start() {
        let listener = self.listener
        tasks.append(Task { await listener.run() })
        tasks.append(Task { await self.listenLoop() })
    }

    /// Nonisolated so that the notification loop does not hold the actor between notifications.
    private nonisolated func listenLoop() async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                try await listener.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        await self.listenStarted()
                        attempt = 0
                        for try await notification in notifications {
                            await self.received(notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("realtime listener lost its connection; reconnecting",
                               metadata: ["error": .string(String(reflecting: error))])
            }
            // Whatever waited for a missing event will not get it from the old connection.
            await flushHeld()
            let backoff = min(0.1 * pow(2, Double(attempt)), 5)
            attempt += 1
            try? await Task.sleep(for: .seconds(backoff))
        }
    }

    private func flushHeld() {
        deliver(order.flush())
    }

    private func listenStarted() {
        listening = true
        for waiter in waitingForListen { waiter.resume() }
        waitingForListen.removeAll()
    }

    private func received(_ payload: String) async {
        do {
            var batch = payload
            if let ref = NotificationBatch.referencedId(payload) {
                guard let body = try await storage.withConnection({ connection -> String? in
                    let rows = try await connection.query("SELECT body FROM realtime_payloads WHERE id = \(ref)",
                                                          logger: self.logger)
                    for try await (body) in rows.decode(String.self) { return body }
                    return nil
                }) else {
                    logger.warning("a realtime event stored by reference is gone", metadata: ["id": .string(ref)])
                    return
                }
                batch = body
            }
            let now = ContinuousClock.now
            for message in try NotificationBatch.decode(batch) { deliver(order.accept(message, now: now)) }
            scheduleExpiry()
        } catch {
            logger.error("could not read a realtime event", metadata: ["error": .string(String(reflecting: error))])
        }
        await purgeIfDue()
    }

    private func deliver(_ messages: [RealtimeMessage]) {
        guard !messages.isEmpty else { return }
        for continuation in subscribers.values {
            for message in messages { continuation.yield(message) }
        }
    }

    /// Wakes at the earliest deadline of a held conversation to deliver it despite its gap.
    private func scheduleExpiry() {
        guard !expiryScheduled, let deadline = order.nextDeadline else { return }
        expiryScheduled = true
        Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.expire()
        }
    }

    private func expire() {
        expiryScheduled = false
        deliver(order.expire(now: .now))
        scheduleExpiry()
    }

    /// Deletes payloads stored by reference once every node had plenty of time to read them.
    private func purgeIfDue() async {
        guard ContinuousClock.now - lastPurge > .seconds(30) else { return }
        lastPurge = .now
        let cutoff = WallClock.nowMicros() - Int64(payloadRetention.components.seconds) * 1_000_000
        do {
            try await storage.withConnection { connection in
                _ = try await connection.query("DELETE FROM realtime_payloads WHERE created_at < \(cutoff)",
                                               logger: self.logger)
            }
        } catch {
            logger.warning("could not purge realtime payloads", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    private func remove(_ id: UUID) { subscribers[id] = nil }
}

