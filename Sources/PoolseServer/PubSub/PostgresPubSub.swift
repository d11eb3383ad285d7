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

    func publish(_ messages: [RealtimeMessage]) async {
        for message in messages {
            do {
                try await notify(message)
            } catch {
                logger.error("could not publish a realtime event",
                             metadata: ["event": .string(message.event), "error": .string(String(reflecting: error))])
            }
        }
    }

    /// A stream of every event from now on; the first call starts listening and returns once
    /// `LISTEN` is in place, so nothing published afterwards is missed.
    func subscribe() async -> AsyncStream<RealtimeMessage> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<RealtimeMessage>.makeStream(bufferingPolicy: .bufferingNewest(65_536))
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

    private func notify(_ message: RealtimeMessage) async throws {
        let inline = try String(decoding: JSONEncoder().encode(Envelope(message)), as: UTF8.self)
        let payload: String
        if inline.utf8.count <= Self.inlineLimit {
            payload = inline
        } else {
            let id = UUID().uuidString.lowercased()
            try await storage.withConnection { connection in
                _ = try await connection.query("""
                    INSERT INTO realtime_payloads (id, body, created_at) VALUES (\(id), \(inline), \(WallClock.nowMicros()))
                    """, logger: self.logger)
            }
            payload = try String(decoding: JSONEncoder().encode(Envelope(ref: id)), as: UTF8.self)
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
            var envelope = try JSONDecoder().decode(Envelope.self, from: Data(payload.utf8))
            if let ref = envelope.ref {
                guard let body = try await storage.withConnection({ connection -> String? in
                    let rows = try await connection.query("SELECT body FROM realtime_payloads WHERE id = \(ref)",
                                                          logger: self.logger)
                    for try await (body) in rows.decode(String.self) { return body }
                    return nil
                }) else {
                    logger.warning("a realtime event stored by reference is gone", metadata: ["id": .string(ref)])
                    return
                }
                envelope = try JSONDecoder().decode(Envelope.self, from: Data(body.utf8))
            }
            guard let message = envelope.message else { return }
            deliver(order.accept(message, now: .now))
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

/// One notification's JSON: an event, or the id of a stored event (`ref`).
private struct Envelope: Codable {
    var topic: String?
    var event: String?
    var payload: JSONValue?
    var exceptUserId: String?
    var ref: String?

    init(_ message: RealtimeMessage) {
        topic = message.topic
        event = message.event
        payload = message.payload
        exceptUserId = message.exceptUserId
    }

    init(ref: String) { self.ref = ref }

    var message: RealtimeMessage? {
        guard let topic, let event else { return nil }
        return RealtimeMessage(topic: topic, event: event, payload: payload ?? .null, exceptUserId: exceptUserId)
    }
}
