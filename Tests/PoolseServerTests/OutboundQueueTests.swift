import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The queue itself: its figures on /metrics, and a bulk deletion that outlives a restart.
@Suite("Outbound queue")
struct OutboundQueueTests {
    @Test func metricsShowDepthAttemptsFailuresAndLatencyPerKind() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setFailing(true)
        try await ServerFixture.open {
            $0.fastOutbound()
            // Long enough for a busy machine's first look at /metrics to find the job still queued.
            $0.outbound.webhookRetryWindow = .seconds(8)
        }.run { api in
            @Sendable func metrics() async -> String {
                String(decoding: (try? await api.request(.get, "/metrics").body) ?? Data(), as: UTF8.self)
            }
            let endpoint = try await api.createWebhook(url: receiver.url, events: ["user.created"])
            _ = try await api.createUser("metrics-failed")
            try await eventually(timeout: .seconds(30)) { await metrics().contains(#"poolse_outbound_queue_depth{kind="webhook"} 1"#) }
            try await eventually(timeout: .seconds(30)) { (try? await api.deliveries(of: endpoint.id).first?.status) == "failed" }
            try await eventually(timeout: .seconds(30)) { await metrics().contains(#"poolse_outbound_failures_total{kind="webhook"} 1"#) }
            await receiver.log.setFailing(false)
            _ = try await api.createUser("metrics-delivered")
            try await eventually(timeout: .seconds(30)) { await receiver.log.accepted.count == 1 }
            try await eventually(timeout: .seconds(30)) { await metrics().contains(#"poolse_outbound_queue_depth{kind="webhook"} 0"#) }
            let text = await metrics()
            #expect(text.contains(#"poolse_outbound_attempts_total{kind="webhook",outcome="delivered"} 1"#), "\(text)")
            // The failed one's last attempt (on a loaded machine it may have had no retry before its window closed).
            #expect(text.contains(#"poolse_outbound_attempts_total{kind="webhook",outcome="failed"} 1"#))
            #expect(text.contains(#"poolse_outbound_delivery_seconds_count{kind="webhook"} 1"#))
        }
    }

    /// A bulk deletion is a job written with the request: a server stopped before it ran
    /// deletes the messages once it is back.
    @Test func bulkDeletionResumesAfterARestart() async throws {
        // The first server runs no outbound worker, as if it stopped before the job's turn.
        let fixture = try await ServerFixture.open { $0.outbound.concurrency = 0 }
        try await fixture.serve { server in
            let api = APIClient(node: server.node(), server: server)
            let (spammer, token) = try await api.login("bulk-spammer")
            let conversation = try await api.createGroup(token: token, members: [])
            for index in 0..<3 { _ = try await api.send("spam \(index)", to: conversation.id, token: token) }
            let accepted = try await api.request(.delete, "/v1/users/\(spammer.id)/messages", token: server.apiKey)
            #expect(accepted.status == 202)
            #expect(try accepted.decode(BulkDeletionAccepted.self).messageCount == 3)
            let left = try await server.app.store.read {
                try await $0.liveMessageCount(senderId: spammer.id, tenantId: server.tenantId)
            }
            #expect(left == 3)
            await server.stop(closing: true)
            try await server.restart {
                $0.fastOutbound()
                $0.outbound.concurrency = 32
            }
            try await eventually(timeout: .seconds(30)) {
                (try? await server.app.store.read {
                    try await $0.liveMessageCount(senderId: spammer.id, tenantId: server.tenantId)
                }) == 0
            }
        }
    }
}
