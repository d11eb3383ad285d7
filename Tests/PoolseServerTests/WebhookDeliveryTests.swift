import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Webhook deliveries end to end: a real server on loopback POSTs to a real receiver that
/// checks signatures and fails on purpose.
@Suite("Webhook deliveries")
struct WebhookDeliveryTests {
    @Test func eventsArriveSignedWithTheirEventId() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        try await ServerFixture.open { $0.fastOutbound() }.run { api in
            let endpoint = try await api.createWebhook(url: receiver.url, events: [
                "message.created", "message.updated", "reaction.added", "conversation.created", "member.added", "user.created",
            ])
            let (_, token) = try await api.login("hook-owner")
            let conversation = try await api.createGroup(token: token, members: [])
            _ = try await api.request(.post, "/v1/conversations/\(conversation.id)/members", token: token,
                                      json: ["external_ids": ["hook-member"]])
            let message = try await api.send("hello hooks", to: conversation.id, token: token)
            _ = try await api.request(.patch, "/v1/messages/\(message.id)", token: token, json: ["body": "edited"])
            _ = try await api.request(.post, "/v1/messages/\(message.id)/reactions", token: token, json: ["emoji": "👍"])
            // Not subscribed: never delivered.
            _ = try await api.request(.delete, "/v1/messages/\(message.id)", token: token)

            let expected = ["user.created", "conversation.created", "member.added", "message.created", "message.updated",
                            "reaction.added"]
            try await eventually(timeout: .seconds(30)) { await receiver.log.accepted.count >= expected.count }
            let deliveries = await receiver.log.accepted
            #expect(Set(deliveries.compactMap { $0.body.objectValue?["type"]?.stringValue }) == Set(expected))
            #expect(deliveries.allSatisfy { $0.signatureValid })
            #expect(deliveries.allSatisfy { $0.body.objectValue?["id"]?.stringValue == $0.eventId })
            let created = try #require(deliveries.first { $0.body.objectValue?["type"]?.stringValue == "message.created" })
            #expect(created.body.objectValue?["data"]?.objectValue?["id"]?.stringValue == message.id)

            let listed = try await api.deliveries(of: endpoint.id)
            #expect(listed.count == deliveries.count)
            #expect(listed.allSatisfy { $0.status == "delivered" && $0.attempts == 1 && $0.lastStatusCode == 200 })
        }
    }

    /// A receiver down for a while gets every event once it is back, in order per conversation;
    /// a repeated delivery carries the same event id.
    @Test func receiverDownForAWhileGetsEveryEventInOrder() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setFailing(true)
        try await ServerFixture.open { $0.fastOutbound() }.run { api in
            let endpoint = try await api.createWebhook(url: receiver.url, events: ["message.created"])
            let (_, token) = try await api.login("down-owner")
            let first = try await api.createGroup(token: token, members: [])
            let second = try await api.createGroup(token: token, members: [])
            var sent: [String: [String]] = [:]
            for index in 0..<4 {
                for conversation in [first, second] {
                    sent[conversation.id, default: []].append(try await api.send("m\(index)", to: conversation.id, token: token).id)
                }
            }
            // Refused a few times: the deliveries are retried, and the later ones wait behind the first.
            try await eventually(timeout: .seconds(30)) { await receiver.log.deliveries.filter { !$0.accepted }.count >= 4 }
            let waiting = try await api.deliveries(of: endpoint.id)
            #expect(waiting.allSatisfy { $0.status == "pending" })
            #expect(waiting.contains { $0.attempts >= 2 && $0.lastStatusCode == 503 })
            await receiver.log.setFailing(false)

            try await eventually(timeout: .seconds(30)) { await Set(receiver.log.accepted.map(\.eventId)).count == 8 }
            let accepted = await receiver.log.accepted
            for conversation in [first, second] {
                let order = accepted.compactMap { delivery -> String? in
                    let data = delivery.body.objectValue?["data"]?.objectValue
                    return data?["conversation_id"]?.stringValue == conversation.id ? data?["id"]?.stringValue : nil
                }
                #expect(order == sent[conversation.id])
            }
            try await eventually(timeout: .seconds(30)) { (try? await api.deliveries(of: endpoint.id).allSatisfy { $0.status == "delivered" }) == true }
        }
    }

    /// Past the retry window a delivery is marked failed; a manual retry sends it again with the same event id.
    @Test func failedDeliveryCanBeRetried() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setFailing(true)
        try await ServerFixture.open {
            $0.fastOutbound()
            $0.outbound.webhookRetryWindow = .milliseconds(300)
        }.run { api in
            let endpoint = try await api.createWebhook(url: receiver.url, events: ["user.created"])
            _ = try await api.createUser("retry-me")
            try await eventually(timeout: .seconds(30)) { (try? await api.deliveries(of: endpoint.id).first?.status) == "failed" }
            let failed = try #require(try await api.deliveries(of: endpoint.id).first)
            #expect(failed.lastError?.contains("503") == true)
            #expect(failed.completedAt != nil)

            await receiver.log.setFailing(false)
            let retried = try await api.request(.post, "/v1/webhooks/\(endpoint.id)/deliveries/\(failed.id)/retry",
                                                token: api.server.apiKey)
            #expect(retried.status == 202)
            #expect(try retried.decode(WebhookDelivery.self).status == "pending")
            try await eventually(timeout: .seconds(30)) { (try? await api.deliveries(of: endpoint.id).first?.status) == "delivered" }
            #expect(await receiver.log.accepted.map(\.eventId) == [failed.eventId])
            let unknown = UUID().uuidString.lowercased()
            try await api.request(.post, "/v1/webhooks/\(endpoint.id)/deliveries/\(unknown)/retry", token: api.server.apiKey)
                .expectError(404, "not_found")
        }
    }

    /// The server stops with deliveries outstanding and starts again on the same database:
    /// every event arrives, and any event seen twice has the same id both times.
    @Test func restartLosesNothing() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setFailing(true)
        let fixture = try await ServerFixture.open {
            $0.fastOutbound()
            // An attempt cut off by the stop leaves a lease the restarted server waits out.
            $0.outbound.leaseDuration = .seconds(2)
        }
        try await fixture.serve { server in
            let api = APIClient(node: server.node(), server: server)
            _ = try await api.createWebhook(url: receiver.url, events: ["message.created"])
            let (_, token) = try await api.login("restart-owner")
            let conversation = try await api.createGroup(token: token, members: [])
            for index in 0..<5 { _ = try await api.send("r\(index)", to: conversation.id, token: token) }
            try await eventually(timeout: .seconds(30)) { await !receiver.log.deliveries.isEmpty }
            await server.stop(closing: true)
            await receiver.log.setFailing(false)
            try await server.restart()
            try await eventually(timeout: .seconds(30)) { await Set(receiver.log.accepted.map(\.eventId)).count == 5 }
        }
        let accepted = await receiver.log.accepted
        // One body per event id: a duplicate is the same event.
        var bodies: [String: JSONValue] = [:]
        for delivery in accepted {
            if let seen = bodies[delivery.eventId] { #expect(seen == delivery.body) }
            bodies[delivery.eventId] = delivery.body
        }
        #expect(bodies.count == 5)
    }

    /// A job leased by a node that died (its lease runs out) is taken over and delivered.
    @Test func jobOfADeadNodeIsTakenOver() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setFailing(true)
        try await ServerFixture.open {
            $0.fastOutbound()
            $0.outbound.leaseDuration = .milliseconds(500)
        }.run { api in
            let endpoint = try await api.createWebhook(url: receiver.url, events: ["user.created"])
            _ = try await api.createUser("orphan")
            try await eventually(timeout: .seconds(30)) { await !receiver.log.deliveries.isEmpty }
            // A node that claims the job and dies: its lease is all that is left of it.
            try await eventually(timeout: .seconds(30)) {
                let now = WallClock.nowMicros()
                let claimed = try? await api.server.app.store.transaction {
                    try await $0.claimJobs(owner: "dead-node", now: now, leaseUntil: now + 400_000, limit: 10, perDestination: { _ in 10 })
                }
                return claimed?.isEmpty == false
            }
            await receiver.log.setFailing(false)
            try await eventually(timeout: .seconds(30)) { (try? await api.deliveries(of: endpoint.id).first?.status) == "delivered" }
        }
    }

    /// One endpoint never has more deliveries under way than its concurrency bound.
    @Test func anEndpointGetsAtMostItsBoundOfConcurrentDeliveries() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setDelay(.milliseconds(100))
        try await ServerFixture.open {
            $0.fastOutbound()
            $0.outbound.perDestinationConcurrency = 2
        }.run { api in
            _ = try await api.createWebhook(url: receiver.url, events: ["user.created"])
            for index in 0..<12 { _ = try await api.createUser("bounded-\(index)") }
            try await eventually(timeout: .seconds(30)) { await receiver.log.accepted.count == 12 }
            let most = await receiver.log.mostOpen
            #expect(most <= 2)
            #expect(most >= 1)
        }
    }

    /// Two nodes on one database share the queue and never run one delivery at the same time.
    @Test func twoNodesNeverDeliverTheSameJobAtOnce() async throws {
        let receiver = try await WebhookReceiver.start(secret: WebhookTestSecret.value)
        defer { receiver.stop() }
        await receiver.log.setDelay(.milliseconds(30))
        let cluster = try await ServerFixture.open(nodes: 2) { $0.fastOutbound() }
        try await cluster.runClients { nodes in
            _ = try await nodes[0].createWebhook(url: receiver.url, events: ["user.created"])
            for index in 0..<30 { _ = try await nodes[index % 2].createUser("pair-\(index)") }
            try await eventually(timeout: .seconds(30)) { await Set(receiver.log.accepted.map(\.eventId)).count == 30 }
            #expect(await receiver.log.overlaps.isEmpty)
            #expect(await receiver.log.accepted.count == 30)
        }
    }
}
