import PoolseWire
import Testing

@testable import PoolseServer

/// Reordering of events that reach a node from several publishers, and presence announcements.
@Suite struct SequenceOrderTests {
    let topic = "conversation:c1"
    let start = ContinuousClock.now

    func new(_ sequence: Int) -> RealtimeMessage {
        RealtimeMessage(topic: topic, event: RealtimeEvent.messageNew,
                        payload: ["sequence": .number(Double(sequence)), "body": .string("m\(sequence)")])
    }

    func sequences(_ messages: [RealtimeMessage]) -> [Int64?] { messages.map(SequenceOrder.sequence(of:)) }

    @Test func inOrderArrivalsPassStraightThrough() {
        var order = SequenceOrder(window: .milliseconds(500))
        #expect(sequences(order.accept(new(1), now: start)) == [1])
        #expect(sequences(order.accept(new(2), now: start)) == [2])
        #expect(order.nextDeadline == nil)
    }

    @Test func aMessageAheadOfAGapWaitsForTheMissingOneWithWhatFollowsIt() {
        var order = SequenceOrder(window: .milliseconds(500))
        _ = order.accept(new(1), now: start)
        #expect(order.accept(new(3), now: start).isEmpty)
        let edit = RealtimeMessage(topic: topic, event: RealtimeEvent.messageUpdated, payload: ["id": "m3"])
        #expect(order.accept(edit, now: start).isEmpty)
        #expect(order.accept(new(4), now: start).isEmpty)
        // Other topics are not held up.
        let other = RealtimeMessage(topic: "user:u", event: "mention:new", payload: [:])
        #expect(order.accept(other, now: start) == [other])

        let released = order.accept(new(2), now: start)
        #expect(sequences(released) == [2, 3, nil, 4])
        #expect(released[2] == edit)
        #expect(order.nextDeadline == nil)
    }

    @Test func aGapThatNeverFillsIsSkippedAfterTheWindow() {
        var order = SequenceOrder(window: .milliseconds(500))
        _ = order.accept(new(1), now: start)
        #expect(order.accept(new(4), now: start).isEmpty)
        #expect(order.accept(new(3), now: start).isEmpty)
        #expect(order.expire(now: start + .milliseconds(100)).isEmpty)
        #expect(sequences(order.expire(now: start + .milliseconds(500))) == [3, 4])
        #expect(sequences(order.accept(new(5), now: start + .seconds(1))) == [5])
    }

    @Test func theFirstMessageSeenWaitsInCaseAnEarlierOneIsOnItsWay() {
        var order = SequenceOrder(window: .milliseconds(500))
        #expect(order.accept(new(8), now: start).isEmpty)
        #expect(order.accept(new(7), now: start).isEmpty)
        #expect(sequences(order.expire(now: start + .seconds(1))) == [7, 8])
        #expect(sequences(order.accept(new(9), now: start + .seconds(1))) == [9])
    }

    @Test func presenceAnnouncementsRoundTrip() {
        let entry = PresenceAnnouncement(topic: topic, userId: "u1",
                                         meta: PresenceMeta(phxRef: "r1", onlineAt: 5, externalId: "ann"))
        let commands: [GatewayCommand] = [
            .presenceJoin(node: "n1", entry), .presenceLeave(node: "n1", entry),
            .presenceHeartbeat(node: "n1", [entry, entry]), .presenceHello(node: "n2"),
        ]
        for command in commands {
            #expect(GatewayCommand(command.message) == command)
        }
    }

    @Test func aNodesHeartbeatReplacesWhatWasKnownOfItAndDroppingItLeavesEverything() {
        var presence = PresenceTracker()
        let m1 = PresenceMeta(phxRef: "r1", onlineAt: 1, externalId: "ann")
        let m2 = PresenceMeta(phxRef: "r2", onlineAt: 2, externalId: "bob")
        _ = presence.join(topic: topic, owner: .remote(node: "n1", phxRef: "r1"), userId: "u1", meta: m1)
        let diffs = presence.replace(node: "n1", with: [PresenceAnnouncement(topic: topic, userId: "u2", meta: m2)])
        #expect(diffs.count == 1)
        #expect(diffs.first?.diff == PresenceDiff(joins: ["u2": PresenceEntry(metas: [m2])],
                                                   leaves: ["u1": PresenceEntry(metas: [m1])]))
        #expect(presence.localEntries.isEmpty)
        let dropped = presence.drop(node: "n1")
        #expect(dropped.first?.diff == PresenceDiff(joins: [:], leaves: ["u2": PresenceEntry(metas: [m2])]))
        #expect(presence.state(of: topic).isEmpty)
    }
}
