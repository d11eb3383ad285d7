import PoolseWire
import Testing
@testable import PoolseServer

/// Presence, typing deadlines, publish lanes and gateway commands, without sockets or clocks.
@Suite struct RealtimeTrackerTests {
    let topic = "conversation:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"

    @Test func presenceKeepsOneMetaPerSocket() {
        var presence = PresenceTracker()
        let phone = SocketID(), laptop = SocketID(), other = SocketID()
        let a = PresenceMeta(phxRef: "a", onlineAt: 1, externalId: "ann")
        let b = PresenceMeta(phxRef: "b", onlineAt: 2, externalId: "ann")
        let c = PresenceMeta(phxRef: "c", onlineAt: 3, externalId: "bob")

        let first = presence.join(topic: topic, socket: phone, userId: "u1", meta: a)
        #expect(first.state == ["u1": PresenceEntry(metas: [a])])
        #expect(first.diff == PresenceDiff(joins: ["u1": PresenceEntry(metas: [a])], leaves: [:]))

        let second = presence.join(topic: topic, socket: laptop, userId: "u1", meta: b)
        #expect(second.state == ["u1": PresenceEntry(metas: [a, b])])
        _ = presence.join(topic: topic, socket: other, userId: "u2", meta: c)

        let phoneLeft = presence.leave(topic: topic, socket: phone)
        #expect(phoneLeft == PresenceDiff(joins: [:], leaves: ["u1": PresenceEntry(metas: [a])]))
        let leftAgain = presence.leave(topic: topic, socket: phone)
        #expect(leftAgain == nil)
        #expect(presence.state(of: topic) == ["u1": PresenceEntry(metas: [b]), "u2": PresenceEntry(metas: [c])])
        #expect(presence.state(of: "conversation:other").isEmpty)
    }

    @Test func typingStartsOnceAndStopsAfterTheTimeoutSinceTheLastPush() {
        var typing = TypingTracker(timeout: .seconds(5))
        let key = TypingTracker.Key(conversationId: "c", userId: "u")
        let start = ContinuousClock.now
        let started = typing.typed(key, externalId: "ann", at: start)
        #expect(started)
        #expect(typing.nextDeadline == start + .seconds(5))
        let startedAgain = typing.typed(key, externalId: "ann", at: start + .seconds(3))
        #expect(!startedAgain)
        // Nothing is due at 5 s: a push at 3 s moved the deadline to 8 s.
        #expect(typing.expire(at: start + .seconds(5)).isEmpty)
        #expect(typing.nextDeadline == start + .seconds(8))
        #expect(typing.isTyping(key))
        let atEight = typing.expire(at: start + .seconds(8))
        #expect(atEight.map(\.key) == [key] && atEight.map(\.externalId) == ["ann"])
        #expect(!typing.isTyping(key))
        #expect(typing.nextDeadline == nil)
        #expect(typing.expire(at: start + .seconds(9)).isEmpty)
        let restarted = typing.typed(key, externalId: "ann", at: start + .seconds(10))
        #expect(restarted)
    }

    @Test func typingStopsAtOnceWhenTheTypistSends() {
        var typing = TypingTracker(timeout: .seconds(5))
        let key = TypingTracker.Key(conversationId: "c", userId: "u")
        let start = ContinuousClock.now
        _ = typing.typed(key, externalId: "ann", at: start)
        let stopped = typing.stop(key)
        #expect(stopped == "ann")
        let stoppedAgain = typing.stop(key)
        #expect(stoppedAgain == nil)
        #expect(typing.expire(at: start + .seconds(5)).isEmpty)
    }

    @Test func laneTurnsRunOneAtATimeInArrivalOrder() async {
        let lanes = PublishLanes()
        let log = OrderLog()
        let first = await lanes.turn("c")
        // Queue the others strictly one after the other, each behind the held turn.
        var tasks: [Task<Void, Never>] = []
        for index in 1...5 {
            tasks.append(Task {
                let turn = await lanes.turn("c")
                await log.append(index)
                turn.end()
            })
            let deadline = ContinuousClock.now + .seconds(10)
            while lanes.waitingCount("c") < index, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        // Another conversation is never held up by this one.
        let unrelated = await lanes.turn("other")
        unrelated.end()
        #expect(await log.entries.isEmpty)
        first.end()
        for task in tasks { await task.value }
        #expect(await log.entries == [1, 2, 3, 4, 5])
    }

    @Test func gatewayCommandsRoundTripThroughPubSubMessages() {
        let commands: [GatewayCommand] = [
            .revokeMembership(conversationId: "c", userId: "u"), .disconnectUser(userId: "u"),
        ]
        for command in commands {
            #expect(command.message.topic == "gateway")
            #expect(GatewayCommand(command.message) == command)
        }
        #expect(GatewayCommand(RealtimeMessage(topic: topic, event: "message:new", payload: ["user_id": "u"])) == nil)
    }

    @Test func presenceCommandsNameTheirNodeWithoutDecodingEntries() {
        let meta = PresenceMeta(phxRef: "r", onlineAt: 1, externalId: "ann")
        let join = GatewayCommand.presenceJoin(node: "n1", PresenceAnnouncement(topic: "conversation:c", userId: "u", meta: meta))
        #expect(GatewayCommand.node(of: join.message) == "n1")
        #expect(GatewayCommand.node(of: GatewayCommand.presenceHello(node: "n2").message) == "n2")
        #expect(GatewayCommand.node(of: GatewayCommand.disconnectUser(userId: "u").message) == nil)
        #expect(GatewayCommand.node(of: RealtimeMessage(topic: "conversation:c", event: "presence_diff", payload: ["node": "n1"])) == nil)
    }
}

private actor OrderLog {
    private(set) var entries: [Int] = []
    func append(_ value: Int) { entries.append(value) }
}
