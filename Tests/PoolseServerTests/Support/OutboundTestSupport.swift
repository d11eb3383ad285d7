import Foundation
import PoolseWire
import Testing

@testable import PoolseServer

extension ServerConfiguration {
    /// An outbound queue fast enough for tests: short polls and retries, and loopback webhook
    /// receivers allowed. The lease stays long enough that a loaded machine never sees one
    /// expire under a running attempt (tests of expiry shorten it themselves).
    mutating func fastOutbound() {
        outbound.pollInterval = .milliseconds(100)
        outbound.retryBaseDelay = .milliseconds(40)
        outbound.retryMaxDelay = .milliseconds(200)
        outbound.leaseDuration = .seconds(20)
        outbound.allowPrivateWebhooks = true
        outbound.webhookTimeout = .seconds(5)
        outbound.housekeepingInterval = .milliseconds(50)
    }
}

extension APIClient {
    /// Creates a webhook endpoint for `events` with a known secret.
    func createWebhook(url: String, events: [String], secret: String = WebhookTestSecret.value) async throws -> WebhookEndpoint {
        let result = try await request(.post, "/v1/webhooks", token: server.apiKey, json: [
            "url": .string(url), "events": .array(events.map(JSONValue.string)), "secret": .string(secret),
        ])
        #expect(result.status == 201, "\(String(decoding: result.body, as: UTF8.self))")
        return try result.decode(WebhookEndpoint.self)
    }

    /// The endpoint's deliveries, newest first.
    func deliveries(of webhookId: String) async throws -> [WebhookDelivery] {
        try await request(.get, "/v1/webhooks/\(webhookId)/deliveries?limit=200", token: server.apiKey)
            .decode(DataList<WebhookDelivery>.self).data
    }
}

enum WebhookTestSecret {
    static let value = "test-signing-secret-0123456789"
}
