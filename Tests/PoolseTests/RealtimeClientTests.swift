import Foundation
import Testing
@testable import Poolse

/// The realtime client end to end over a scripted WebSocket and a virtual clock:
/// connection life, reconnects, tokens, channels, buffering and gap fill.
@Suite("Realtime: client")
struct RealtimeClientTests {
    let topic = "conversation:c-1"

    /// Waits until the events pushed so far on the current socket have been handled:
    /// pushes a probe after them and waits for it (frames are handled in order).
    func settle(_ harness: RealtimeHarness, _ channel: ConversationChannel) async {
        let probe = Received<TypingEvent>()
        let off = channel.onTypingStop(probe.append)
        harness.transport.current?.push("typing:stop", topic: channel.topic, payload: ["user_id": "probe"])
        await eventually { probe.all.contains { $0.userId == "probe" } }
        off()
    }

    /// Drops the current socket and lets the first reconnect happen.
    func dropAndReconnect(_ harness: RealtimeHarness) async {
        let attempts = harness.transport.attempts
        harness.transport.current?.drop()
        await eventually { harness.chat.realtime.getStatus() == .reconnecting }
        await eventually { harness.clock.pending.contains(.milliseconds(10)) }
        harness.clock.advance(by: .milliseconds(10))
        await harness.waitForAttempts(attempts + 1)
    }

    // MARK: Connection

    @Test func theSocketOpensOnTheFirstChannelAndNotBefore() async {
        let harness = RealtimeHarness()
        _ = harness.chat.realtime
        for _ in 0..<1000 { await Task.yield() }
        #expect(harness.transport.attempts == 0)
        #expect(harness.chat.realtime.getStatus() == .idle)

        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        #expect(harness.transport.urls.map(\.absoluteString) ==
            ["wss://chat.example.test/socket/websocket?token=token-1&vsn=2.0.0"])
        #expect(harness.chat.realtime.getStatus() == .connected)
        harness.chat.destroy()
    }

    @Test func connectIsIdempotentAndTheSameIDGivesTheSameHandleWithoutASecondJoin() async {
        let harness = RealtimeHarness()
        harness.chat.realtime.connect()
        harness.chat.realtime.connect()
        let first = harness.chat.realtime.conversation("c-1")
        let second = harness.chat.realtime.conversation("c-1")
        #expect(first === second)
        await harness.waitUntilJoined(first)
        #expect(harness.chat.realtime.conversation("c-1") === first)
        harness.chat.realtime.connect()
        await settle(harness, first)
        #expect(harness.transport.attempts == 1)
        #expect(harness.transport.current?.sent("phx_join").count == 1)
        harness.chat.destroy()
    }

    @Test func statusesReachListenersAndTheStream() async {
        let harness = RealtimeHarness()
        let heard = Received<RealtimeStatus>()
        let off = harness.chat.realtime.onStatus(heard.append)
        let stream = harness.chat.realtime.statusStream()
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        await dropAndReconnect(harness)
        await eventually { harness.chat.realtime.getStatus() == .connected }
        harness.chat.realtime.disconnect()
        await eventually { harness.chat.realtime.getStatus() == .closed }
        off()
        #expect(heard.all == [.connecting, .connected, .reconnecting, .connected, .closed])
        var streamed: [RealtimeStatus] = []
        for await status in stream {
            streamed.append(status)
            if status == .closed { break }
        }
        #expect(streamed == [.idle, .connecting, .connected, .reconnecting, .connected, .closed])
        harness.chat.destroy()
    }

    @Test func reconnectsFollowThePhoenixScheduleOnTheInjectedClock() async {
        let harness = RealtimeHarness()
        harness.transport.script([], then: .fail(URLError(.cannotConnectToHost)))
        harness.chat.realtime.connect()
        for attempt in 1...11 {
            await harness.waitForAttempts(attempt)
            await eventually { harness.clock.pending.count == 1 }
            harness.clock.advance(by: harness.clock.pending[0])
        }
        await harness.waitForAttempts(12)
        #expect(harness.clock.requested ==
            [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000].map { Duration.milliseconds($0) })
        #expect(harness.chat.realtime.getStatus() == .reconnecting)
        #expect(harness.errorCodes.allSatisfy { $0 == .connectionFailed })
        harness.chat.destroy()
    }

    @Test func everyReconnectReadsTheTokenThroughTheCache() async {
        let now = ManualClock()
        let start = now.now
        let source = TokenSource([makeJWT(expiresAt: start.addingTimeInterval(40), subject: "first"),
                                  makeJWT(expiresAt: start.addingTimeInterval(3600), subject: "second")])
        let harness = RealtimeHarness(configure: { $0.now = now.reader }, getToken: source.getToken)
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        now.advance(by: 11)  // the first token is now within 30 s of its expiry
        await dropAndReconnect(harness)
        await harness.waitUntilJoined(channel)
        await dropAndReconnect(harness)
        #expect(harness.transport.tokens == [
            makeJWT(expiresAt: start.addingTimeInterval(40), subject: "first"),
            makeJWT(expiresAt: start.addingTimeInterval(3600), subject: "second"),
            makeJWT(expiresAt: start.addingTimeInterval(3600), subject: "second"),
        ])
        #expect(source.calls == 2)
        harness.chat.destroy()
    }

    @Test func aRefusedUpgradeDropsTheCachedTokenSoTheRetryGetsANewOne() async {
        let source = TokenSource(["stale", "fresh"])
        let harness = RealtimeHarness(getToken: source.getToken)
        harness.transport.script([.fail(WebSocketHandshakeError(status: 403))])
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitForAttempts(1)
        await eventually { harness.clock.pending.contains(.milliseconds(10)) }
        harness.clock.advance(by: .milliseconds(10))
        await harness.waitUntilJoined(channel)
        #expect(harness.transport.tokens == ["stale", "fresh"])
        #expect(harness.errorCodes == [.handshakeRejected])
        harness.chat.destroy()
    }

    @Test func aHeartbeatGoesOutEvery30SecondsAndAnUnansweredOneReconnects() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        harness.transport.behaviour.answersHeartbeats = false

        await eventually { harness.clock.pending == [.seconds(30)] }
        harness.clock.advance(by: .seconds(30))
        await harness.waitForFrame("heartbeat")
        let heartbeat = harness.transport.current!.sent("heartbeat")[0]
        #expect(heartbeat.topic == "phoenix")
        harness.transport.current?.push(heartbeat.reply(status: "ok"))
        await settle(harness, channel)

        await eventually { harness.clock.pending == [.seconds(30)] }
        harness.clock.advance(by: .seconds(30))
        await harness.waitForFrame("heartbeat", count: 2)  // answered: the next one goes out
        #expect(harness.transport.attempts == 1)

        await eventually { harness.clock.pending == [.seconds(30)] }
        harness.clock.advance(by: .seconds(30))           // this one was never answered
        await eventually { harness.chat.realtime.getStatus() == .reconnecting }
        await eventually { harness.transport.connections[0].isClosed }
        #expect(harness.errorCodes == [.heartbeatTimeout])
        await eventually { harness.clock.pending.contains(.milliseconds(10)) }
        harness.clock.advance(by: .milliseconds(10))
        await harness.waitForAttempts(2)
        await harness.waitUntilJoined(channel)
        harness.chat.destroy()
    }

    // MARK: Channels across reconnects

    @Test func joinedChannelsRejoinByThemselves() async {
        let harness = RealtimeHarness()
        let conversation = harness.chat.realtime.conversation("c-1")
        let user = harness.chat.realtime.user("u-1")
        await harness.waitUntilJoined(conversation)
        await eventually { if case .joined = user.state { true } else { false } }
        let states = Received<RealtimeChannelState>()
        let off = conversation.onStateChange(states.append)

        await dropAndReconnect(harness)
        await harness.waitForFrame("phx_join", topic: "user:u-1")
        await harness.waitUntilJoined(conversation)
        #expect(harness.transport.current?.sent("phx_join").map(\.topic).sorted() == ["conversation:c-1", "user:u-1"])
        #expect(states.all.map(\.description) == ["joining", "joined"])
        off()
        harness.chat.destroy()
    }

    @Test func pushesMadeWhileDisconnectedGoOutRightAfterTheJoin() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        harness.transport.current?.drop()
        await eventually { harness.chat.realtime.getStatus() == .reconnecting }
        channel.sendTyping()
        channel.sendTyping()
        await eventually { harness.clock.pending.contains(.milliseconds(10)) }
        harness.clock.advance(by: .milliseconds(10))
        await harness.waitForFrame("typing", count: 2)
        let sent = harness.transport.connections[1].sent
        #expect(sent.map(\.event) == ["phx_join", "typing", "typing"])
        #expect(sent[1].joinRef == sent[0].joinRef)
        #expect(harness.transport.connections[0].sent("typing").isEmpty)
        harness.chat.destroy()
    }

    @Test func aRefusedJoinIsSurfacedAndNotRetried() async throws {
        let harness = RealtimeHarness()
        harness.transport.behaviour.refusedTopics = ["conversation:c-9": "unauthorized"]
        let refused = harness.chat.realtime.conversation("c-9")
        let errors = Received<RealtimeError>()
        _ = refused.onError(errors.append)
        await #expect(throws: RealtimeError.self) { try await refused.waitUntilJoined() }
        guard case .closed(let error?) = refused.state else { Issue.record("not closed: \(refused.state)"); return }
        #expect(error.code == .joinRefused)
        #expect(error.reason == "unauthorized")
        #expect(errors.all.map(\.code) == [.joinRefused])
        #expect(harness.errorCodes == [.joinRefused])

        let other = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(other)
        await dropAndReconnect(harness)
        await harness.waitUntilJoined(other)
        await settle(harness, other)
        #expect(harness.transport.current?.sent("phx_join").map(\.topic) == ["conversation:c-1"])

        // Asking for it again tries once more.
        #expect(harness.chat.realtime.conversation("c-9") === refused)
        await harness.waitForFrame("phx_join", topic: "conversation:c-9")
        harness.chat.destroy()
    }

    @Test func aChannelTheServerClosesIsSurfacedAndNotRejoined() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let other = harness.chat.realtime.conversation("c-2")
        await harness.waitUntilJoined(channel)
        await harness.waitUntilJoined(other)
        let joinRef = harness.transport.current?.joinRef(of: topic)
        harness.transport.current?.push(PhoenixFrame(joinRef: joinRef, ref: joinRef, topic: topic, event: "phx_close"))
        await eventually { channel.state.isClosed }
        #expect(harness.errorCodes == [.closedByServer])

        await dropAndReconnect(harness)
        await harness.waitUntilJoined(other)
        await settle(harness, other)
        #expect(harness.transport.current?.sent("phx_join").map(\.topic) == ["conversation:c-2"])
        harness.chat.destroy()
    }

    @Test func afterDisconnectNothingReconnectsUntilConnect() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        await harness.waitUntilJoined(channel)
        harness.chat.realtime.disconnect()
        await eventually { harness.chat.realtime.getStatus() == .closed }
        await eventually { harness.transport.connections[0].isClosed }
        #expect(harness.clock.pending.isEmpty)
        harness.clock.advance(by: .seconds(60))
        _ = harness.chat.realtime.conversation("c-2")  // a new channel does not reconnect either
        for _ in 0..<1000 { await Task.yield() }
        #expect(harness.transport.attempts == 1)

        harness.chat.realtime.connect()
        await harness.waitUntilJoined(channel)
        #expect(harness.transport.attempts == 2)
        await harness.waitForFrame("phx_join", topic: "conversation:c-2")
        harness.chat.destroy()
    }

    @Test func destroyLeavesEveryChannelClosesTheSocketAndEndsTheStreams() async {
        let harness = RealtimeHarness()
        let conversation = harness.chat.realtime.conversation("c-1")
        let user = harness.chat.realtime.user("u-1")
        let messages = conversation.messageStream()
        let mentions = user.mentionStream()
        await harness.waitUntilJoined(conversation)
        await eventually { if case .joined = user.state { true } else { false } }

        harness.chat.destroy()
        await eventually { harness.transport.current?.isClosed == true }
        #expect(harness.transport.current?.sent("phx_leave").map(\.topic).sorted() == ["conversation:c-1", "user:u-1"])
        #expect(harness.chat.realtime.getStatus() == .closed)
        for await _ in messages {}
        for await _ in mentions {}
        #expect(conversation.state.isClosed)

        let late = harness.chat.realtime.conversation("c-3")
        #expect(late.state.isClosed)
        harness.chat.realtime.connect()
        for _ in 0..<1000 { await Task.yield() }
        #expect(harness.transport.attempts == 1)
    }

    @Test func leaveDropsTheHandleAndTellsTheServer() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let stream = channel.events()
        await harness.waitUntilJoined(channel)
        harness.chat.realtime.leave("c-1")
        await harness.waitForFrame("phx_leave", topic: topic)
        for await _ in stream {}
        let again = harness.chat.realtime.conversation("c-1")
        #expect(again !== channel)
        await harness.waitUntilJoined(again)
        harness.chat.destroy()
    }

    // MARK: Events

    @Test func everyEventReachesItsListenerAndTheEventStreamTyped() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let messages = Received<Message>(), updated = Received<Message>(), deleted = Received<MessageDeletedEvent>()
        let added = Received<ReactionEvent>(), removed = Received<ReactionEvent>(), reads = Received<MemberReadEvent>()
        let starts = Received<TypingEvent>(), stops = Received<TypingEvent>()
        let offs = [
            channel.onMessage(messages.append), channel.onMessageUpdated(updated.append),
            channel.onMessageDeleted(deleted.append), channel.onReactionAdded(added.append),
            channel.onReactionRemoved(removed.append), channel.onMemberRead(reads.append),
            channel.onTypingStart(starts.append), channel.onTypingStop(stops.append),
        ]
        let events = channel.events()
        await harness.waitUntilJoined(channel)
        let server = harness.transport.current!
        let reaction = json(#"{"message_id":"m-1","conversation_id":"c-1","emoji":"👍","user_id":"u-2"}"#)
        server.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 1, body: "Hello"))
        server.push("message:updated", topic: topic, payload: Fixture.messageValue(sequence: 1, body: "Hello!"))
        server.push("reaction:added", topic: topic, payload: reaction)
        server.push("reaction:removed", topic: topic, payload: reaction)
        server.push("member:read", topic: topic, payload: json(
            #"{"user_id":"u-2","conversation_id":"c-1","last_read_message_id":"m-1","last_read_at":"2026-11-29T08:00:00.123456Z"}"#))
        server.push("typing:start", topic: topic, payload: ["user_id": "u-2", "external_id": "bob"])
        server.push("message:deleted", topic: topic, payload: json(
            #"{"id":"m-1","conversation_id":"c-1","deleted_at":"2026-11-29T08:00:00.123456Z"}"#))
        server.push("some:future_event", topic: topic, payload: [:])
        server.push("typing:stop", topic: topic, payload: ["user_id": "u-2", "external_id": "bob"])
        await eventually { stops.count == 1 }

        #expect(messages.all.map(\.body) == ["Hello"])
        #expect(updated.all.map(\.body) == ["Hello!"])
        #expect(deleted.all.map(\.id) == ["m-1"])
        #expect(added.all == [ReactionEvent(messageId: "m-1", conversationId: "c-1", emoji: "👍", userId: "u-2")])
        #expect(removed.all.map(\.emoji) == ["👍"])
        #expect(reads.all.map(\.lastReadMessageId) == ["m-1"])
        #expect(starts.all == [TypingEvent(userId: "u-2", externalId: "bob")])
        #expect(stops.all.map(\.externalId) == ["bob"])

        var kinds: [String] = []
        for await event in events {
            switch event {
            case .message: kinds.append("new")
            case .messageUpdated: kinds.append("updated")
            case .messageDeleted: kinds.append("deleted")
            case .reactionAdded: kinds.append("added")
            case .reactionRemoved: kinds.append("removed")
            case .memberRead: kinds.append("read")
            case .messagePinned: kinds.append("pinned")
            case .messageUnpinned: kinds.append("unpinned")
            case .typingStart: kinds.append("start")
            case .typingStop: kinds.append("stop")
            case .presenceState, .presenceDiff: kinds.append("presence")
            }
            if kinds.count == 8 { break }
        }
        #expect(kinds == ["new", "updated", "added", "removed", "read", "start", "deleted", "stop"])

        offs.forEach { $0() }
        server.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 2))
        await settle(harness, channel)
        #expect(messages.count == 1)  // unsubscribed
        harness.chat.destroy()
    }

    @Test func anUndecodablePayloadIsReportedAndSkipped() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let messages = Received<Message>()
        _ = channel.onMessage(messages.append)
        await harness.waitUntilJoined(channel)
        harness.transport.current?.push("message:new", topic: topic, payload: ["id": 5])
        harness.transport.current?.pushText("not a frame")
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 1))
        await eventually { messages.count == 1 }
        #expect(harness.errorCodes == [.invalidFrame, .invalidFrame])
        harness.chat.destroy()
    }

    @Test func presenceFollowsDiffsAndLateSubscribersGetTheSnapshot() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.conversation("c-1")
        let diffs = Received<PresenceDiff>()
        _ = channel.onPresenceDiff(diffs.append)
        await harness.waitUntilJoined(channel)
        let server = harness.transport.current!
        server.push("presence_state", topic: topic, payload: json(
            #"{"u-1":{"metas":[{"phx_ref":"a","online_at":1,"external_id":"alice"}]}}"#))
        server.push("presence_diff", topic: topic, payload: json(
            #"{"joins":{"u-2":{"metas":[{"phx_ref":"b","online_at":2,"external_id":"bob"}]}},"leaves":{}}"#))
        server.push("presence_diff", topic: topic, payload: json(
            #"{"joins":{},"leaves":{"u-1":{"metas":[{"phx_ref":"a","online_at":1,"external_id":"alice"}]}}}"#))
        await eventually { diffs.count == 2 }

        let bobOnly: PresenceState = ["u-2": PresenceEntry(metas: [PresenceMeta(phxRef: "b", onlineAt: 2, externalId: "bob")])]
        #expect(channel.getPresenceState() == bobOnly)
        let late = Received<PresenceState>()
        _ = channel.onPresenceState(late.append)
        await eventually { late.count == 1 }
        #expect(late.all == [bobOnly])
        var snapshots = channel.presenceStateStream().makeAsyncIterator()
        #expect(await snapshots.next() == bobOnly)

        server.push("presence_state", topic: topic, payload: [:])
        await eventually { late.count == 2 }
        #expect(channel.getPresenceState().isEmpty)
        harness.chat.destroy()
    }

    @Test func userChannelEventsAreTyped() async {
        let harness = RealtimeHarness()
        let channel = harness.chat.realtime.user("u-1")
        let mentions = Received<MentionEvent>(), created = Received<Conversation>()
        let updated = Received<ConversationUpdatedEvent>()
        _ = channel.onMention(mentions.append)
        _ = channel.onConversationCreated(created.append)
        _ = channel.onConversationUpdated(updated.append)
        try? await channel.waitUntilJoined()
        let server = harness.transport.current!
        server.push("mention:new", topic: "user:u-1", payload: json(
            #"{"message_id":"m-1","conversation_id":"c-1","sender_id":"u-2"}"#))
        server.push("conversation:created", topic: "user:u-1", payload: json(Fixture.conversation(id: "c-7")))
        server.push("conversation:updated", topic: "user:u-1", payload: json(
            #"{"conversation":\#(Fixture.conversation(id: "c-7")),"by_user_id":"u-2"}"#))
        await eventually { updated.count == 1 }
        #expect(mentions.all == [MentionEvent(messageId: "m-1", conversationId: "c-1", senderId: "u-2")])
        #expect(created.all.map(\.id) == ["c-7"])
        #expect(updated.all.map(\.byUserId) == ["u-2"])
        #expect(updated.all.first?.conversation.unreadCount == 2)
        harness.chat.destroy()
    }

    // MARK: No silent loss

    @Test func messagesSentWhileDisconnectedArriveInOrderBeforeNewerLiveOnesAndOnce() async {
        let release = Gate()
        let http = RoutedHTTPTransport { request in
            guard request.url.path.hasSuffix("/messages") else {
                return .json(200, Fixture.conversationValue(lastSequence: 0))
            }
            await release.wait()
            let missed = [3, 4].map { Fixture.message(id: "m-\($0)", sequence: $0) }
            return .json(200, Fixture.list(missed))
        }
        let harness = RealtimeHarness(http: http)
        let channel = harness.chat.realtime.conversation("c-1")
        let received = Received<Message>()
        _ = channel.onMessage(received.append)
        await harness.waitUntilJoined(channel)
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 1))
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 2))
        await eventually { received.count == 2 }

        await dropAndReconnect(harness)          // 3 and 4 are sent while this client is away
        await harness.waitUntilJoined(channel)
        await eventually { http.catchUpCursors == ["2"] }
        // Live events after the rejoin, while the catch-up is still in flight:
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 4))
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 5))
        await settle(harness, channel)
        #expect(received.all.map(\.sequence) == [1, 2])  // held until the catch-up is done
        release.open()
        await eventually { received.count == 5 }
        await settle(harness, channel)
        #expect(received.all.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(Set(received.all.map(\.id)).count == 5)
        harness.chat.destroy()
    }

    @Test func aRejoinBeforeTheFirstMessageCatchesUpFromTheConversationsLastSequence() async {
        let http = RoutedHTTPTransport { request in
            guard request.url.path.hasSuffix("/messages") else {
                return .json(200, Fixture.conversationValue(lastSequence: 7))
            }
            return .json(200, Fixture.list([Fixture.message(id: "m-8", sequence: 8)]))
        }
        let harness = RealtimeHarness(http: http)
        let channel = harness.chat.realtime.conversation("c-1")
        let received = Received<Message>()
        _ = channel.onMessage(received.append)
        await harness.waitUntilJoined(channel)
        await eventually { channel.resumePoint == 7 }  // from GET /v1/conversations/c-1
        await dropAndReconnect(harness)
        await eventually { received.count == 1 }
        #expect(http.catchUpCursors == ["7"])
        #expect(received.all.map(\.sequence) == [8])
        harness.chat.destroy()
    }

    @Test func aFailedCatchUpIsReportedNotSilent() async {
        let http = RoutedHTTPTransport { request in
            request.url.path.hasSuffix("/messages")
                ? .error(500, code: "internal_error") : .json(200, Fixture.conversationValue(lastSequence: 0))
        }
        let harness = RealtimeHarness(http: http)
        let channel = harness.chat.realtime.conversation("c-1")
        let errors = Received<RealtimeError>()
        _ = channel.onError(errors.append)
        await harness.waitUntilJoined(channel)
        harness.transport.current?.push("message:new", topic: topic, payload: Fixture.messageValue(sequence: 1))
        await settle(harness, channel)
        await dropAndReconnect(harness)
        await eventually { errors.count == 1 }
        #expect(errors.all.first?.code == .catchUpFailed)
        #expect(errors.all.first?.underlying is APIError)
        harness.chat.destroy()
    }
}
