import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PoolseWire

@testable import PoolseServer

/// What a `WebhookReceiver` saw and how it is told to behave: answer 503 while `failing`, take
/// `delay` per request, and note any event that arrives while an attempt at it is still open.
actor WebhookLog {
    struct Delivery: Sendable {
        let eventId: String
        let body: JSONValue
        let signatureValid: Bool
        let accepted: Bool
    }

    private(set) var deliveries: [Delivery] = []
    private(set) var overlaps: [String] = []
    /// The most requests that were open at once.
    private(set) var mostOpen = 0
    private var open: Set<String> = []
    private var openCount = 0
    var failing = false
    var delay: Duration = .zero

    func setFailing(_ value: Bool) { failing = value }
    func setDelay(_ value: Duration) { delay = value }

    /// Accepted deliveries.
    var accepted: [Delivery] { deliveries.filter(\.accepted) }

    fileprivate func begin(_ eventId: String) -> (failing: Bool, delay: Duration) {
        if open.contains(eventId) { overlaps.append(eventId) }
        open.insert(eventId)
        openCount += 1
        mostOpen = max(mostOpen, openCount)
        return (failing, delay)
    }

    fileprivate func end(_ delivery: Delivery) {
        open.remove(delivery.eventId)
        openCount -= 1
        deliveries.append(delivery)
    }
}

/// A webhook receiver on a loopback port: checks each delivery's signature with the secret
/// it was given (its own HMAC, not the server's code) and records it in `log`.
struct WebhookReceiver: Sendable {
    let log: WebhookLog
    let port: Int
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/hook" }

    static func start(secret: String) async throws -> WebhookReceiver {
        let log = WebhookLog()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = String(buffer: buffer)
            let header = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } ?? "" }
            let (eventId, timestamp, signature) = (header("Poolse-Event-Id"), header("Poolse-Timestamp"), header("Poolse-Signature"))
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8),
                                                      using: SymmetricKey(data: Data(secret.utf8)))
            let expected = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
            let (failing, delay) = await log.begin(eventId)
            if delay > .zero { try? await Task.sleep(for: delay) }
            let json = (try? WireCoding.decoder.decode(JSONValue.self, from: Data(body.utf8))) ?? .null
            await log.end(WebhookLog.Delivery(eventId: eventId, body: json, signatureValid: signature == expected,
                                              accepted: !failing))
            return Response(status: failing ? .serviceUnavailable : .ok)
        }
        let (portStream, portInput) = AsyncStream<Int>.makeStream()
        // Stopped by cancellation, which Hummingbird logs as errors: keep its logger quiet.
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portInput.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ConfigError("the receiver did not start") }
        return WebhookReceiver(log: log, port: port, task: task)
    }

    func stop() { task.cancel() }
}
