import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test func requestsAreCountedByRouteTemplateAndStatus() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            _ = try await api.send("one", to: group.id, token: alice)
            _ = try await api.send("two", to: group.id, token: alice)
            try await api.request(.get, "/v1/conversations/\(UUID().uuidString)", token: alice)
            let scrape = try await api.request(.get, "/metrics")
            #expect(scrape.status == 200)
            let text = String(decoding: scrape.body, as: UTF8.self)
            #expect(text.contains(#"poolse_http_requests_total{route="/v1/conversations/:id/messages",method="POST",status="201"} 2"#),
                    "\(text)")
            #expect(text.contains(#"poolse_http_requests_total{route="/v1/conversations/:id",method="GET",status="404"} 1"#))
            #expect(text.contains("poolse_http_request_duration_seconds_bucket"))
            #expect(text.contains("poolse_messages_persisted_total 2"))
            #expect(!text.contains(group.id), "raw paths never become labels")
        }
    }
}
