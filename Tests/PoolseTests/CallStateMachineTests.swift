import Foundation
import Poolse
import Testing

/// The client's call state machine, fed events and times by hand: no socket, no clock.
@Suite("Calls: the client's call state machine")
struct CallStateMachineTests {
    let t0 = ContinuousClock.now
    let invitation = CallInvitation(callId: "c1", conversationId: "room", calleeUserIds: ["bob", "carol"], media: .video)

    func user(_ event: String, _ userId: String, call: String = "c1") -> CallSignalEvent {
        let payload = CallUserEvent(callId: call, conversationId: "room", userId: userId)
        switch event {
        case "accepted": return .accepted(payload)
        case "declined": return .declined(payload)
        case "busy": return .busy(payload)
        default: return .ended(payload)
        }
    }

    @Test func theCallerRingsConnectsOnAcceptAndIsActiveWhenMediaFlows() {
        var (call, actions) = CallStateMachine.outgoing(invitation, userId: "ann", now: t0)
        #expect(call.phase == .ringing)
        #expect(actions == [.wake(at: t0 + .seconds(45))])
        #expect(call.receive(user("accepted", "bob", call: "other")).isEmpty)  // another call
        #expect(call.receive(user("accepted", "bob")) == [.startMedia])
        #expect(call.phase == .connecting)
        #expect(call.mediaConnected().isEmpty)
        #expect(call.phase == .active)
        // Accepted calls are not given up on.
        #expect(call.tick(now: t0 + .seconds(60)).isEmpty)
        #expect(call.receive(user("ended", "bob")) == [.stopMedia])
        #expect(call.phase == .ended(.remoteHungUp(userId: "bob")))
        #expect(call.receive(user("accepted", "carol")).isEmpty)
    }

    @Test func theCallerGivesUpAfterFortyFiveSecondsWithACancel() {
        var (call, _) = CallStateMachine.outgoing(invitation, userId: "ann", now: t0)
        #expect(call.tick(now: t0 + .seconds(44)).isEmpty)
        #expect(call.phase == .ringing)
        #expect(call.tick(now: t0 + .seconds(45)) == [.cancel])
        #expect(call.phase == .ended(.noAnswer))
        #expect(call.tick(now: t0 + .seconds(46)).isEmpty)
    }

    @Test func everyCalleeDecliningOrBusyEndsTheCallWithTheLastAnswer() {
        var (call, _) = CallStateMachine.outgoing(invitation, userId: "ann", now: t0)
        #expect(call.receive(user("declined", "bob")).isEmpty)
        #expect(call.phase == .ringing)
        #expect(call.ringing == ["carol"])
        #expect(call.receive(user("busy", "carol")).isEmpty)
        #expect(call.phase == .ended(.busy))
    }

    @Test func theServersRingOutAndTheCallersCancelEndTheCalleesRinging() {
        let incoming = CallIncomingEvent(callId: "c1", conversationId: "room", callerUserId: "ann", media: .audio)
        var callee = CallStateMachine.incoming(incoming, userId: "bob")
        #expect(callee.role == .callee && callee.phase == .ringing)
        let noAnswer = CallCancelledEvent(callId: "c1", conversationId: "room", callerUserId: "ann", reason: "no_answer")
        #expect(callee.receive(.cancelled(noAnswer)).isEmpty)
        #expect(callee.phase == .ended(.noAnswer))

        var other = CallStateMachine.incoming(incoming, userId: "bob")
        let cancelled = CallCancelledEvent(callId: "c1", conversationId: "room", callerUserId: "ann", reason: "cancelled")
        #expect(other.receive(.cancelled(cancelled)).isEmpty)
        #expect(other.phase == .ended(.cancelled))
        // A callee never gives up on its own: the caller and the server decide.
        var waiting = CallStateMachine.incoming(incoming, userId: "bob")
        #expect(waiting.tick(now: t0 + .seconds(600)).isEmpty)
    }

    @Test func theCalleeConnectsOnItsAcceptAndStopsRingingWhenAnotherDeviceAnswered() {
        let incoming = CallIncomingEvent(callId: "c1", conversationId: "room", callerUserId: "ann", media: .audio)
        var here = CallStateMachine.incoming(incoming, userId: "bob")
        #expect(here.accept() == [.startMedia])
        // The server echoes Bob's accept to all his devices: here it changes nothing.
        #expect(here.receive(user("accepted", "bob")).isEmpty)
        #expect(here.phase == .connecting)
        #expect(here.hangUp() == [.stopMedia])
        #expect(here.phase == .ended(.hungUp))

        var elsewhere = CallStateMachine.incoming(incoming, userId: "bob")
        #expect(elsewhere.receive(user("accepted", "bob")).isEmpty)
        #expect(elsewhere.phase == .ended(.answeredElsewhere))
        var declinedElsewhere = CallStateMachine.incoming(incoming, userId: "bob")
        _ = declinedElsewhere.receive(user("declined", "bob"))
        #expect(declinedElsewhere.phase == .ended(.answeredElsewhere))
        // Someone else accepting a group call does not stop this device ringing.
        var group = CallStateMachine.incoming(incoming, userId: "bob")
        #expect(group.receive(user("accepted", "carol")).isEmpty)
        #expect(group.phase == .ringing)
    }
}
