import Testing
@testable import Poolse

/// Request pushes (calls and voice rooms need their replies): the reply finds its way back to
/// the request, or the request hears that none will come.
@Suite("Realtime: replies to request pushes")
struct PushReplyTests {
    typealias Machine = PhoenixStateMachine
    let topic = "user:u-1"

    func joined() -> Machine {
        var machine = Machine()
        _ = machine.connect()
        _ = machine.transportOpened(1)
        let join = machine.join(topic)
        if case .send(1, let frame)? = join.first { _ = machine.received(frame.reply(status: "ok"), on: 1) }
        return machine
    }

    func sent(_ actions: [Machine.Action]) -> PhoenixFrame? {
        actions.compactMap { if case .send(_, let frame) = $0 { frame } else { nil } }.first
    }

    @Test func theReplyToARequestIsHandedBackWithItsResponse() throws {
        var machine = joined()
        let actions = machine.push(topic, event: "call:invite", payload: ["conversation_id": "c"], request: 7)
        #expect(actions.first == .startTimer(.reply(request: 7), after: .seconds(10)))
        let frame = try #require(sent(actions))
        let ok = frame.reply(status: "ok", response: ["call_id": "x"])
        #expect(machine.received(ok, on: 1) == [.cancelTimer(.reply(request: 7)),
                                                .replied(request: 7, .init(isOK: true, response: ["call_id": "x"]))])
        // A second reply with the same ref is nobody's.
        #expect(machine.received(ok, on: 1).isEmpty)

        let refused = try #require(sent(machine.push(topic, event: "call:accept", request: 8)))
        let error = refused.reply(status: "error", response: ["reason": "call_ended"])
        #expect(machine.received(error, on: 1).last == .replied(request: 8, .init(isOK: false, response: ["reason": "call_ended"])))
    }

    @Test func aRequestWaitingForItsJoinGoesOutOnTheJoinAndItsReplyStillComesBack() throws {
        var machine = Machine()
        _ = machine.connect()
        _ = machine.join(topic)
        #expect(machine.push(topic, event: "call:busy", request: 1) == [.startTimer(.reply(request: 1), after: .seconds(10))])
        let opened = machine.transportOpened(1)
        let join = try #require(sent(opened))
        let afterJoin = machine.received(join.reply(status: "ok"), on: 1)
        let busy = try #require(afterJoin.compactMap { if case .send(_, let frame) = $0 { frame } else { nil } }.last)
        #expect(busy.event == "call:busy")
        #expect(machine.received(busy.reply(status: "ok"), on: 1).last == .replied(request: 1, .init(isOK: true, response: [:])))
    }

    @Test func noReplyComesWhenTheSocketDropsTheChannelFailsOrTimeRunsOut() throws {
        var machine = joined()
        _ = machine.push(topic, event: "call:cancel", request: 1)
        #expect(machine.transportClosed(1).contains(.replied(request: 1, nil)))

        var timedOut = joined()
        _ = timedOut.push(topic, event: "call:hangup", request: 2)
        #expect(timedOut.timerFired(.reply(request: 2)) == [.replied(request: 2, nil)])
        #expect(timedOut.awaitingReplies.isEmpty)

        var unknown = joined()
        #expect(unknown.push("user:someone-else", event: "call:invite", request: 3) == [.replied(request: 3, nil)])

        var refusedJoin = Machine()
        _ = refusedJoin.connect()
        _ = refusedJoin.transportOpened(1)
        let join = try #require(sent(refusedJoin.join(topic)))
        _ = refusedJoin.push(topic, event: "call:invite", request: 4)
        #expect(refusedJoin.received(join.reply(status: "error", response: ["reason": "unauthorized"]), on: 1)
            .contains(.replied(request: 4, nil)))
    }
}
