import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// Who gets a push about a new message, what it says, and how bursts collapse; pushes are
/// recorded at the `PushSender` seam.
@Suite("Push recipient rules")
struct PushRuleTests {
    /// Waits until no fan-out or push job is pending (`waiting` push jobs of a burst may stay).
    static func drained(_ api: APIClient, allowingWaitingPushes waiting: Int = 0) async throws {
        try await eventually(timeout: .seconds(30)) {
            let counts = (try? await api.server.app.store.read { try await $0.pendingJobCounts() }) ?? ["": 1]
            return counts[OutboundJobKind.messagePush.rawValue] == nil && counts[OutboundJobKind.userPush.rawValue] == nil
                && (counts[OutboundJobKind.push.rawValue] ?? 0) <= waiting
        }
    }

    static func register(_ api: APIClient, token: String, userToken: String, platform: String = "ios",
                         kind: String? = "alert") async throws {
        var body: [String: JSONValue] = ["token": .string(token), "platform": .string(platform)]
        if let kind { body["kind"] = .string(kind) }
        #expect(try await api.request(.post, "/v1/devices", token: userToken, json: .object(body)).status == 201)
    }

    @Test func exactlyTheRightMembersArePushed() async throws {
        let recorder = PushRecorder()
        try await ServerFixture.open(pushSender: recorder) { $0.fastOutbound() }.run { api in
            let (sender, senderToken) = try await api.login("p-sender")
            let (_, offline) = try await api.login("p-offline")
            let (_, muted) = try await api.login("p-muted")
            let (_, blocking) = try await api.login("p-blocking")
            let (_, online) = try await api.login("p-online")
            let (mentionedUser, mentioned) = try await api.login("p-mentioned")
            let (mutedMentionedUser, mutedMentioned) = try await api.login("p-muted-mentioned")
            let conversation = try await api.createGroup(token: senderToken, members: [
                "p-offline", "p-muted", "p-blocking", "p-online", "p-mentioned", "p-muted-mentioned",
            ])
            try await Self.register(api, token: "sender-alert", userToken: senderToken)
            try await Self.register(api, token: "offline-alert", userToken: offline)
            try await Self.register(api, token: "offline-voip", userToken: offline, kind: nil)
            try await Self.register(api, token: "offline-android", userToken: offline, platform: "android", kind: nil)
            try await Self.register(api, token: "muted-alert", userToken: muted)
            try await Self.register(api, token: "blocking-alert", userToken: blocking)
            try await Self.register(api, token: "online-alert", userToken: online)
            try await Self.register(api, token: "mentioned-alert", userToken: mentioned)
            try await Self.register(api, token: "muted-mentioned-alert", userToken: mutedMentioned)
            for token in [muted, mutedMentioned] {
                #expect(try await api.request(.put, "/v1/conversations/\(conversation.id)/mute", token: token).status == 200)
            }
            #expect(try await api.request(.post, "/v1/me/blocks", token: blocking,
                                          json: ["user_id": .string(sender.id)]).status == 201)
            // Two members have the conversation open (on this node; presence is cluster-wide).
            let port = api.node.port
            var sockets: [PhoenixTestSocket] = []
            for token in [online, mentioned] {
                let socket = try await PhoenixTestSocket.connect(port: port, query: "token=\(token)&vsn=2.0.0")
                _ = try await socket.join("conversation:\(conversation.id)", joinRef: "1")
                sockets.append(socket)
            }
            defer { sockets.forEach { $0.close() } }

            let message = try await api.send("hello phones", to: conversation.id, token: senderToken, extra: [
                "mentions": [.string(mentionedUser.id), .string(mutedMentionedUser.id)],
            ])
            try await Self.drained(api)
            let tokens = Set(await recorder.deliveries.map(\.device.token))
            #expect(tokens == ["offline-alert", "offline-android", "mentioned-alert"])
            let alert = try #require(await recorder.alerts(to: "offline-alert").first)
            #expect(alert.title == conversation.name)
            #expect(alert.body == "hello phones")
            #expect(alert.conversationId == conversation.id)
            #expect(alert.messageId == message.id)
            #expect(alert.sequence == message.sequence)
            #expect(alert.senderId == sender.id)
            #expect(alert.badge == 1)
            #expect(alert.collapseId == conversation.id)
        }
    }

    @Test func withoutPreviewsTheBodyIsGenericAndADirectConversationIsTitledBySender() async throws {
        let recorder = PushRecorder()
        try await ServerFixture.open(pushSender: recorder) { $0.fastOutbound() }.run { api in
            let sender = try await api.request(.post, "/v1/users", token: api.server.apiKey,
                                               json: ["external_id": "d-sender", "display_name": "Ada"]).decode(User.self)
            let senderToken = try await api.request(.post, "/v1/users/\(sender.id)/tokens", token: api.server.apiKey)
                .decode(TokenResponse.self).token
            let (_, recipient) = try await api.login("d-recipient")
            let direct = try await api.request(.post, "/v1/conversations", token: senderToken,
                                               json: ["type": "direct", "member_external_ids": ["d-recipient"]])
                .decode(Conversation.self)
            try await Self.register(api, token: "recipient-alert", userToken: recipient)
            let settings = try await api.request(.patch, "/v1/tenant/settings", token: api.server.apiKey,
                                                 json: ["push_preview": false]).decode(TenantSettings.self)
            #expect(settings.pushPreview == false)
            #expect(try await api.request(.get, "/v1/tenant/settings", token: api.server.apiKey)
                .decode(TenantSettings.self).pushPreview == false)
            _ = try await api.send("secret plans", to: direct.id, token: senderToken)
            try await Self.drained(api)
            let alert = try #require(await recorder.alerts(to: "recipient-alert").first)
            #expect(alert.title == "Ada")
            #expect(alert.body == PushPlanner.genericBody)
        }
    }

    @Test func aDeviceTheProviderCallsGoneIsDeleted() async throws {
        let recorder = PushRecorder()
        await recorder.answer(.deviceGone, forToken: "dead-token")
        try await ServerFixture.open(pushSender: recorder) { $0.fastOutbound() }.run { api in
            let (_, senderToken) = try await api.login("g-sender")
            let (_, recipient) = try await api.login("g-recipient")
            let conversation = try await api.createGroup(token: senderToken, members: ["g-recipient"])
            try await Self.register(api, token: "dead-token", userToken: recipient)
            try await Self.register(api, token: "live-token", userToken: recipient)
            _ = try await api.send("anyone there?", to: conversation.id, token: senderToken)
            try await Self.drained(api)
            #expect(Set(await recorder.deliveries.map(\.device.token)) == ["dead-token", "live-token"])
            let left = try await api.request(.get, "/v1/me/devices", token: recipient).decode(DataList<Device>.self)
            #expect(left.data.count == 1)
            #expect(try await api.server.app.store.read { try await $0.device(token: "dead-token", tenantId: api.server.tenantId) } == nil)
        }
    }

    /// A burst while offline: the first message is pushed, the rest fold into one waiting push
    /// (carrying the latest message) until the collapse window has passed.
    @Test func aBurstIsCollapsedPerDevice() async throws {
        let recorder = PushRecorder()
        try await ServerFixture.open(pushSender: recorder) {
            $0.fastOutbound()
            $0.outbound.pushCollapseWindow = .seconds(600)
        }.run { api in
            let (_, senderToken) = try await api.login("b-sender")
            let (_, recipient) = try await api.login("b-recipient")
            let conversation = try await api.createGroup(token: senderToken, members: ["b-recipient"])
            try await Self.register(api, token: "burst-alert", userToken: recipient)
            var last: Message?
            for index in 0..<50 { last = try await api.send("burst \(index)", to: conversation.id, token: senderToken) }
            try await Self.drained(api, allowingWaitingPushes: 1)
            #expect(await recorder.deliveries.count == 1)
            let waiting = try await api.server.app.store.read { q in
                try await q.waitingJob(collapseKey: try #require(q.device(token: "burst-alert", tenantId: api.server.tenantId))
                    .device.id + ":" + conversation.id, now: WallClock.nowMicros())
            }
            let job = try #require(waiting)
            let push = try WireCoding.decoder.decode(PushJob.self, from: Data(job.payload.utf8))
            guard case .alert(let alert) = push.content else { Issue.record("not an alert"); return }
            #expect(alert.messageId == last?.id)
            #expect(alert.badge == 50)
            #expect(job.runAfter > WallClock.nowMicros() + 500_000_000)
        }
    }

    /// A push job for a user's VoIP devices (what a call invite enqueues) reaches only them.
    @Test func aUserPushReachesOnlyDevicesOfItsKind() async throws {
        let recorder = PushRecorder()
        try await ServerFixture.open(pushSender: recorder) { $0.fastOutbound() }.run { api in
            let (callee, token) = try await api.login("c-callee")
            try await Self.register(api, token: "callee-voip", userToken: token, kind: "voip")
            try await Self.register(api, token: "callee-alert", userToken: token)
            let call = PushCall(callId: UUID().uuidString.lowercased(), conversationId: UUID().uuidString.lowercased(),
                                callerUserId: UUID().uuidString.lowercased(), callerName: "Ada", media: "audio",
                                sentAtMillis: 1_700_000_000_000)
            try await api.server.app.store.transaction { q in
                try await OutboundEnqueuer().write([.userPush(UserPush(tenantId: api.server.tenantId, userId: callee.id,
                                                                        deviceKind: .voip, content: .call(call)))], q)
            }
            try await Self.drained(api)
            let deliveries = await recorder.deliveries
            #expect(deliveries.map(\.device.token) == ["callee-voip"])
            #expect(deliveries.first?.content == .call(call))
        }
    }

    /// With no provider configured nothing is sent and the job is simply done.
    @Test func withoutAProviderNothingIsSent() async throws {
        try await ServerFixture.open { $0.fastOutbound() }.run { api in
            let (_, senderToken) = try await api.login("n-sender")
            let (_, recipient) = try await api.login("n-recipient")
            let conversation = try await api.createGroup(token: senderToken, members: ["n-recipient"])
            try await Self.register(api, token: "n-alert", userToken: recipient)
            _ = try await api.send("quiet", to: conversation.id, token: senderToken)
            try await Self.drained(api)
            #expect(try await api.request(.get, "/v1/me/devices", token: recipient).decode(DataList<Device>.self).data.count == 1)
        }
    }
}
