import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Webhook endpoints through the API key: creation (secret shown once), validation and the
/// SSRF guard, update, delete.
@Suite("Webhook routes")
struct WebhookRouteTests {
    @Test func secretIsShownOnceAndEndpointsCanBeManaged() async throws {
        try await ServerFixture.open { $0.outbound.allowPrivateWebhooks = true }.run { api in
            let created = try await api.request(.post, "/v1/webhooks", token: api.server.apiKey,
                                                json: ["url": "http://127.0.0.1:9/hook", "events": ["message.created"]])
            #expect(created.status == 201)
            let endpoint = try created.decode(WebhookEndpoint.self)
            #expect(endpoint.secret?.hasPrefix("whsec_") == true)
            #expect(endpoint.events == ["message.created"])

            let fetched = try await api.request(.get, "/v1/webhooks/\(endpoint.id)", token: api.server.apiKey)
            #expect(fetched.status == 200)
            #expect(fetched.json.objectValue?["secret"] == nil)
            let listed = try await api.request(.get, "/v1/webhooks", token: api.server.apiKey).decode(DataList<WebhookEndpoint>.self)
            #expect(listed.data.map(\.id) == [endpoint.id])
            #expect(listed.data.allSatisfy { $0.secret == nil })

            let patched = try await api.request(.patch, "/v1/webhooks/\(endpoint.id)", token: api.server.apiKey,
                                                json: ["events": ["message.deleted", "user.created"], "enabled": false])
            let updated = try patched.decode(WebhookEndpoint.self)
            #expect(updated.events == ["message.deleted", "user.created"])
            #expect(updated.enabled == false)

            #expect(try await api.request(.delete, "/v1/webhooks/\(endpoint.id)", token: api.server.apiKey).status == 204)
            try await api.request(.get, "/v1/webhooks/\(endpoint.id)", token: api.server.apiKey).expectError(404, "not_found")
        }
    }

    @Test func anotherTenantCannotSeeAnEndpoint() async throws {
        try await ServerFixture.open { $0.outbound.allowPrivateWebhooks = true }.run { api in
            let endpoint = try await api.createWebhook(url: "http://127.0.0.1:9/hook", events: ["user.created"])
            let otherKey = try await api.server.makeTenant()
            try await api.request(.get, "/v1/webhooks/\(endpoint.id)", token: otherKey).expectError(404, "not_found")
            try await api.request(.delete, "/v1/webhooks/\(endpoint.id)", token: otherKey).expectError(404, "not_found")
        }
    }

    @Test func badEndpointsAreRefused() async throws {
        try await ServerFixture.open().run { api in
            let cases: [(JSONValue, String)] = [
                (["url": "ftp://example.com/hook", "events": ["message.created"]], "url"),
                (["url": "https://example.com/hook", "events": []], "events"),
                (["url": "https://example.com/hook", "events": ["message.exploded"]], "events"),
                (["url": "https://example.com/hook", "events": ["message.created"], "secret": "short"], "secret"),
            ]
            for (body, field) in cases {
                let result = try await api.request(.post, "/v1/webhooks", token: api.server.apiKey, json: body)
                result.expectError(422, "validation_failed")
                #expect(result.json.objectValue?["error"]?.objectValue?["details"]?.objectValue?[field] != nil)
            }
        }
    }

    /// Without `--allow-private-webhooks`, URLs naming loopback, private, link-local and
    /// shared addresses are refused when saved.
    @Test func privateAddressesAreRefusedWithoutTheFlag() async throws {
        try await ServerFixture.open().run { api in
            for url in ["http://127.0.0.1/hook", "http://localhost:8080/hook", "http://10.1.2.3/hook", "http://192.168.0.10/",
                        "http://172.20.0.1/", "http://169.254.169.254/latest", "http://[::1]/hook", "http://[fd00::1]/",
                        "http://100.64.0.1/", "http://0.0.0.0/"] {
                let result = try await api.request(.post, "/v1/webhooks", token: api.server.apiKey,
                                                   json: ["url": .string(url), "events": ["message.created"]])
                result.expectError(422, "validation_failed")
            }
            let accepted = try await api.request(.post, "/v1/webhooks", token: api.server.apiKey,
                                                 json: ["url": "https://93.184.215.14/hook", "events": ["message.created"]])
            #expect(accepted.status == 201)
        }
    }

    /// The check is repeated on the addresses a host name resolves to, at delivery time.
    @Test func resolvedPrivateAddressesAreRefused() async throws {
        let policy = WebhookAddressPolicy(allowPrivate: false)
        #expect(await policy.problem(resolving: "localhost", port: 80) != nil)
        #expect(await policy.problem(resolving: "127.0.0.1", port: 80) != nil)
        #expect(await WebhookAddressPolicy(allowPrivate: true).problem(resolving: "localhost", port: 80) == nil)
        #expect(IPAddress("8.8.8.8")?.isPublic == true)
        #expect(IPAddress("::ffff:127.0.0.1")?.isPublic == false)
        #expect(IPAddress("fe80::1")?.isPublic == false)
        #expect(IPAddress("2001:4860:4860::8888")?.isPublic == true)
    }

    @Test func backoffDoublesUpToItsCeilingWithJitter() {
        let backoff = RetryBackoff(baseDelay: .seconds(5), maxDelay: .seconds(60))
        #expect(backoff.delayMicros(afterAttempts: 1, random: { 0 }) == 2_500_000)
        #expect(backoff.delayMicros(afterAttempts: 1, random: { 1 }) == 5_000_000)
        #expect(backoff.delayMicros(afterAttempts: 3, random: { 1 }) == 20_000_000)
        #expect(backoff.delayMicros(afterAttempts: 10, random: { 1 }) == 60_000_000)
        #expect(backoff.delayMicros(afterAttempts: 1, retryAfter: 30, random: { 0 }) == 30_000_000)
    }
}
