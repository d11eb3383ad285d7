import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs one webhook delivery: the event JSON, signed.
///
/// Headers: `Poolse-Event-Id` (the event's id, the same on every retry), `Poolse-Timestamp`
/// (Unix seconds of this attempt) and `Poolse-Signature: v1=<hex HMAC-SHA256(secret,
/// "<timestamp>.<body>")>`. Redirects are not followed (a redirect could point inward).
struct WebhookDeliverer: Sendable {
    let client: HTTPClient
    let policy: WebhookAddressPolicy
    let timeout: Duration

    /// What became of one attempt.
    enum Result: Sendable, Equatable {
        /// A 2xx answer.
        case delivered(status: Int, latencyMs: Int)
        /// Worth another try: a non-2xx answer, a timeout, a refused connection.
        case retry(status: Int?, latencyMs: Int?, error: String)
        /// Never worth another try: the URL is refused.
        case refused(String)
    }

    func deliver(url urlText: String, body: String, eventId: String, secret: String, now: Date = Date()) async -> Result {
        guard let url = URL(string: urlText), let host = url.host else { return .refused("the URL is not valid") }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        if let problem = await policy.problem(resolving: host, port: port) { return .refused(problem) }
        let timestamp = String(Int64(now.timeIntervalSince1970))
        var request = HTTPClientRequest(url: urlText)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "poolse-webhooks/1")
        request.headers.add(name: "Poolse-Event-Id", value: eventId)
        request.headers.add(name: "Poolse-Timestamp", value: timestamp)
        request.headers.add(name: "Poolse-Signature", value: Self.signature(secret: secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(string: body))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.micros * 1000)))
            // The answer's body is not used; read a little so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let latency = Self.millis(since: started)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return .delivered(status: status, latencyMs: latency) }
            return .retry(status: status, latencyMs: latency, error: "the endpoint answered \(status)")
        } catch {
            return .retry(status: nil, latencyMs: Self.millis(since: started), error: Self.describe(error))
        }
    }

    /// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    static func signature(secret: String, timestamp: String, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func millis(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.micros / 1000)
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timed out" }
            return "request failed: \(error)"
        }
        return "could not connect: \(String(describing: error).prefix(200))"
    }
}
