import Testing
@testable import Poolse

/// The Phoenix client protocol as a pure state machine: inputs in, actions out, no
/// socket and no clock.
@Suite("Realtime: Phoenix state machine")
struct RealtimeStateMachineTests {
    typealias Machine = PhoenixStateMachine
    let topic = "conversation:c-1"

    /// A machine whose socket 1 is open.
    func connected() -> Machine {
        var machine = Machine()
        _ = machine.connect()
        _ = machine.transportOpened(1)
        return machine
    }

    /// A machine with `topic` joined on socket 1; returns the join ref.
    func joined() -> (Machine, String) {
        var machine = connected()
        let actions = machine.join(topic)
        guard case .send(1, let join)? = actions.first else {
            Issue.record("no join sent: \(actions)")
            return (machine, "")
        }
        _ = machine.received(join.reply(status: "ok"), on: 1)
        return (machine, join.ref ?? "")
    }

    @Test func connectOpensOnceAndIsIdempotent() {
        var machine = Machine()
        #expect(machine.connect() == [.setStatus(.connecting), .openTransport(1)])
        #expect(machine.connect() == [])
        #expect(machine.connect(lazily: true) == [])
        #expect(machine.transportOpened(1) == [.setStatus(.connected), .startTimer(.heartbeat, after: .seconds(30))])
        #expect(machine.connect() == [])
    }

    @Test func openingJoinsWaitingChannels() {
        var machine = Machine()
        #expect(machine.join(topic) == [])
        _ = machine.connect()
        let actions = machine.transportOpened(1)
        #expect(actions.contains(.send(1, PhoenixFrame(joinRef: "1", ref: "1", topic: topic, event: "phx_join"))))
        #expect(actions.contains(.startTimer(.joinTimeout(topic: topic), after: .seconds(10))))
    }

    @Test func joinReplyJoinsAndFlushesBufferedPushesUnderTheNewJoinRef() {
        var machine = connected()
        let join = machine.join(topic)
        #expect(machine.push(topic, event: "typing") == [])
        guard case .send(1, let frame)? = join.first else { Issue.record("no join"); return }
        let actions = machine.received(frame.reply(status: "ok"), on: 1)
        #expect(actions == [
            .cancelTimer(.joinTimeout(topic: topic)),
            .channelJoined(topic: topic, isRejoin: false),
            .send(1, PhoenixFrame(joinRef: frame.joinRef, ref: "2", topic: topic, event: "typing")),
        ])
        #expect(machine.push(topic, event: "typing") ==
            [.send(1, PhoenixFrame(joinRef: frame.joinRef, ref: "3", topic: topic, event: "typing"))])
    }

    @Test func heartbeatEveryIntervalAndAnUnansweredOneReconnects() {
        var machine = connected()
        let first = machine.timerFired(.heartbeat)
        #expect(first == [
            .send(1, PhoenixFrame(joinRef: nil, ref: "1", topic: "phoenix", event: "heartbeat")),
            .startTimer(.heartbeat, after: .seconds(30)),
        ])
        _ = machine.received(PhoenixFrame(joinRef: nil, ref: "1", topic: "phoenix", event: "heartbeat").reply(status: "ok"),
                             on: 1)
        #expect(machine.timerFired(.heartbeat).count == 2)  // answered: the next one goes out
        let timeout = machine.timerFired(.heartbeat)        // unanswered for a whole interval
        #expect(timeout == [
            .closeTransport(1), .cancelTimer(.heartbeat), .report(.init(code: .heartbeatTimeout)),
            .setStatus(.reconnecting), .startTimer(.reconnect, after: .milliseconds(10)),
        ])
        #expect(machine.timerFired(.reconnect) == [.openTransport(2)])
    }

    @Test func reconnectDelaysFollowThePhoenixScheduleAndResetOnOpen() {
        var machine = Machine()
        _ = machine.connect()
        var delays: [Duration] = []
        for attempt in 1...12 {
            for action in machine.transportClosed(attempt) {
                if case .startTimer(.reconnect, let delay) = action { delays.append(delay) }
            }
            _ = machine.timerFired(.reconnect)
        }
        #expect(delays == [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000, 5000].map { .milliseconds($0) })
        _ = machine.transportOpened(13)
        #expect(machine.transportClosed(13).contains(.startTimer(.reconnect, after: .milliseconds(10))))
    }

    @Test func firstFailureReportsConnectionFailedAndARefusedUpgradeSaysSo() {
        var machine = Machine()
        _ = machine.connect()
        #expect(machine.transportClosed(1).contains(.report(.init(code: .connectionFailed))))
        _ = machine.timerFired(.reconnect)
        #expect(machine.transportClosed(2, handshakeRejected: true).contains(.report(.init(code: .handshakeRejected))))
        _ = machine.timerFired(.reconnect)
        _ = machine.transportOpened(3)
        #expect(machine.transportClosed(3).contains(.report(.init(code: .connectionLost))))
    }

    @Test func channelsRejoinOnTheNextSocketAsRejoins() {
        var (machine, _) = joined()
        let drop = machine.transportClosed(1)
        #expect(drop.contains(.channelInterrupted(topic: topic)))
        _ = machine.timerFired(.reconnect)
        let reopen = machine.transportOpened(2)
        guard let join = reopen.compactMap({ action -> PhoenixFrame? in
            if case .send(2, let frame) = action, frame.event == "phx_join" { return frame }
            return nil
        }).first else { Issue.record("no rejoin in \(reopen)"); return }
        #expect(join.topic == topic)
        #expect(machine.received(join.reply(status: "ok"), on: 2).contains(.channelJoined(topic: topic, isRejoin: true)))
    }

    @Test func aRefusedJoinFailsTheChannelForGood() {
        var machine = connected()
        guard case .send(1, let join)? = machine.join(topic).first else { Issue.record("no join"); return }
        _ = machine.push(topic, event: "typing")
        let actions = machine.received(join.reply(status: "error", response: ["reason": "unauthorized"]), on: 1)
        #expect(actions == [
            .cancelTimer(.joinTimeout(topic: topic)),
            .channelFailed(topic: topic, .init(code: .joinRefused, topic: topic, reason: "unauthorized")),
        ])
        #expect(machine.push(topic, event: "typing") == [])
        _ = machine.transportClosed(1)
        _ = machine.timerFired(.reconnect)
        #expect(!machine.transportOpened(2).contains { if case .send = $0 { return true } else { return false } })
        // Asking for it again tries once more.
        #expect(machine.join(topic).first == .send(2, PhoenixFrame(joinRef: "2", ref: "2", topic: topic, event: "phx_join")))
    }

    @Test func phxCloseFromTheServerFailsTheChannelButAStaleOneIsIgnored() {
        var (machine, joinRef) = joined()
        #expect(machine.received(PhoenixFrame(joinRef: "old", ref: "old", topic: topic, event: "phx_close"), on: 1) == [])
        let actions = machine.received(PhoenixFrame(joinRef: joinRef, ref: joinRef, topic: topic, event: "phx_close"),
                                       on: 1)
        #expect(actions.contains(.channelFailed(topic: topic, .init(code: .closedByServer, topic: topic))))
        #expect(machine.channels[topic]?.state == .failed)
    }

    @Test func eventsOfTheCurrentJoinAreDeliveredOthersAreNot() {
        var (machine, joinRef) = joined()
        let payload: JSONValue = ["user_id": "u-2"]
        #expect(machine.received(PhoenixFrame(joinRef: joinRef, ref: nil, topic: topic, event: "typing:start",
                                              payload: payload), on: 1)
            == [.channelEvent(topic: topic, event: "typing:start", payload: payload)])
        #expect(machine.received(PhoenixFrame(joinRef: nil, ref: nil, topic: topic, event: "typing:stop",
                                              payload: payload), on: 1)
            == [.channelEvent(topic: topic, event: "typing:stop", payload: payload)])
        #expect(machine.received(PhoenixFrame(joinRef: "stale", ref: nil, topic: topic, event: "typing:stop"), on: 1) == [])
        #expect(machine.received(PhoenixFrame(joinRef: nil, ref: nil, topic: "conversation:other", event: "x"), on: 1) == [])
        #expect(machine.received(PhoenixFrame(joinRef: nil, ref: nil, topic: topic, event: "x"), on: 99) == [])
    }

    @Test func anErrorReplyToAPushIsReported() {
        var (machine, joinRef) = joined()
        let push = PhoenixFrame(joinRef: joinRef, ref: "9", topic: topic, event: "typing")
        #expect(machine.received(push.reply(status: "error", response: ["reason": "rate_limited"]), on: 1)
            == [.report(.init(code: .pushRejected, topic: topic, reason: "rate_limited"))])
    }

    @Test func disconnectStopsReconnectingUntilConnect() {
        var (machine, _) = joined()
        let actions = machine.disconnect()
        #expect(actions.first == .closeTransport(1))
        #expect(actions.contains(.setStatus(.closed)))
        #expect(actions.contains(.cancelTimer(.reconnect)))
        #expect(machine.transportClosed(1) == [])
        #expect(machine.timerFired(.reconnect) == [])
        #expect(machine.connect(lazily: true) == [])
        #expect(machine.connect() == [.setStatus(.connecting), .openTransport(2)])
        #expect(machine.transportOpened(2).contains { action in
            if case .send(2, let frame) = action { return frame.event == "phx_join" && frame.topic == topic }
            return false
        })
    }

    @Test func destroyLeavesJoinedChannelsThenClosesAndIgnoresEverything() {
        var (machine, joinRef) = joined()
        let actions = machine.destroy()
        #expect(actions.prefix(2) == [
            .cancelTimer(.joinTimeout(topic: topic)),
            .send(1, PhoenixFrame(joinRef: joinRef, ref: "2", topic: topic, event: "phx_leave")),
        ])
        #expect(actions.contains(.closeTransport(1)))
        #expect(actions.last == .setStatus(.closed))
        #expect(machine.connect() == [])
        #expect(machine.join(topic) == [])
    }

    @Test func aJoinWithoutAnswerIsSentAgain() {
        var machine = connected()
        _ = machine.join(topic)
        let retry = machine.timerFired(.joinTimeout(topic: topic))
        #expect(retry.first == .send(1, PhoenixFrame(joinRef: "2", ref: "2", topic: topic, event: "phx_join")))
    }

    @Test func thePushBufferKeepsTheNewest() {
        var machine = Machine(configuration: .init(pushBufferLimit: 2))
        _ = machine.join(topic)
        for index in 1...3 { _ = machine.push(topic, event: "e\(index)") }
        #expect(machine.channels[topic]?.buffer.map(\.event) == ["e2", "e3"])
    }

    @Test func newsOfAnAbandonedSocketIsIgnored() {
        var machine = Machine()
        _ = machine.connect()
        _ = machine.disconnect()
        #expect(machine.transportOpened(1) == [.closeTransport(1)])
        #expect(machine.status == .closed)
    }
}
