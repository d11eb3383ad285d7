import Foundation

/// One call as the client sees it, as a pure value: ringing → connecting (someone accepted,
/// WebRTC is being set up) → active (media flows) → ended. Feed it the ringing events
/// (``receive(_:)``), your own actions (``accept()``, ``hangUp()``,
/// ``mediaConnected()``) and the time (``tick(now:)``); carry out the ``Action``s it returns.
/// No sockets and no clock inside, so it is tested by feeding it inputs.
///
/// The caller gives up after ``giveUpAfter`` (45 s, as `@poolse/sdk` does) if nobody accepted:
/// ``tick(now:)`` then ends the call and asks for ``Action/cancel`` (send `call:cancel`). The
/// server ends an unanswered call after 60 s regardless, so a caller that vanished does not
/// ring forever.
public struct CallStateMachine: Sendable, Equatable {
    /// How long the caller rings before giving up.
    public static let giveUpAfter: Duration = .seconds(45)

    /// Which side of the call this is.
    public enum Role: Sendable, Equatable { case caller, callee }

    /// Where the call is.
    public enum Phase: Sendable, Equatable {
        case ringing
        /// Accepted; media is being set up.
        case connecting
        /// Media flows.
        case active
        case ended(EndReason)
    }

    /// Why a call ended.
    public enum EndReason: Sendable, Equatable {
        /// Every callee declined (or was busy; `busy` when the last answer was busy).
        case declined, busy
        /// The caller cancelled before anyone answered.
        case cancelled
        /// Nobody answered: the caller gave up, or the server's ring timeout passed.
        case noAnswer
        /// This side hung up.
        case hungUp
        /// `userId` hung up.
        case remoteHungUp(userId: String)
        /// Callee only: another of your devices accepted or declined.
        case answeredElsewhere
    }

    /// What to do.
    public enum Action: Sendable, Equatable {
        /// Start WebRTC (ICE servers, offer or answer through the voice room or the SFU).
        case startMedia
        /// Tear WebRTC down.
        case stopMedia
        /// Send `call:cancel` (the caller gave up).
        case cancel
        /// Call ``tick(now:)`` at this instant.
        case wake(at: ContinuousClock.Instant)
    }

    public let callId: String
    public let conversationId: String
    public let role: Role
    /// Your own user id.
    public let userId: String
    public private(set) var phase: Phase = .ringing
    /// Callees who have not answered yet (caller side).
    public private(set) var ringing: Set<String>
    private var giveUpAt: ContinuousClock.Instant?
    private var lastAnswer: EndReason = .declined

    /// A call you placed, from the reply to ``CallsClient/invite(_:media:)``, at `now`; the
    /// actions hold the wake for the give-up.
    public static func outgoing(_ invitation: CallInvitation, userId: String,
                                now: ContinuousClock.Instant) -> (CallStateMachine, [Action]) {
        var machine = CallStateMachine(callId: invitation.callId, conversationId: invitation.conversationId, role: .caller,
                                       userId: userId, ringing: Set(invitation.calleeUserIds))
        let deadline = now + giveUpAfter
        machine.giveUpAt = deadline
        return (machine, [.wake(at: deadline)])
    }

    /// A call ringing on this device.
    public static func incoming(_ event: CallIncomingEvent, userId: String) -> CallStateMachine {
        CallStateMachine(callId: event.callId, conversationId: event.conversationId, role: .callee, userId: userId,
                         ringing: [userId])
    }

    private init(callId: String, conversationId: String, role: Role, userId: String, ringing: Set<String>) {
        self.callId = callId
        self.conversationId = conversationId
        self.role = role
        self.userId = userId
        self.ringing = ringing
    }

    /// Whether the call is over.
    public var isEnded: Bool { if case .ended = phase { true } else { false } }

    // MARK: - Inputs

    /// A ringing event from ``CallsClient``; events of other calls are ignored.
    public mutating func receive(_ event: CallSignalEvent) -> [Action] {
        guard event.callId == callId, !isEnded else { return [] }
        switch event {
        case .incoming:
            return []
        case .accepted(let accepted):
            ringing.remove(accepted.userId)
            if role == .callee {
                // Our own accept comes back too; from another device it ends the ringing here.
                if accepted.userId == userId, phase == .ringing { return end(.answeredElsewhere) }
                return []
            }
            guard phase == .ringing else { return [] }
            phase = .connecting
            giveUpAt = nil
            return [.startMedia]
        case .declined(let answer), .busy(let answer):
            ringing.remove(answer.userId)
            if role == .callee { return answer.userId == userId && phase == .ringing ? end(.answeredElsewhere) : [] }
            if case .busy = event { lastAnswer = .busy } else { lastAnswer = .declined }
            return phase == .ringing && ringing.isEmpty ? end(lastAnswer) : []
        case .cancelled(let cancelled):
            return end(cancelled.reason == CallCancelledEvent.Reason.noAnswer ? .noAnswer : .cancelled)
        case .ended(let ended):
            return end(ended.userId == userId ? .hungUp : .remoteHungUp(userId: ended.userId))
        }
    }

    /// Callee: you accepted (send `call:accept` too).
    public mutating func accept() -> [Action] {
        guard role == .callee, phase == .ringing else { return [] }
        phase = .connecting
        return [.startMedia]
    }

    /// Your WebRTC stack reports media flowing.
    public mutating func mediaConnected() -> [Action] {
        guard phase == .connecting else { return [] }
        phase = .active
        return []
    }

    /// You hang up, decline or cancel (send the matching push too).
    public mutating func hangUp() -> [Action] { end(.hungUp) }

    /// Time passed: the caller gives up ``giveUpAfter`` after inviting if nobody accepted.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard role == .caller, phase == .ringing, let giveUpAt, now >= giveUpAt else { return [] }
        return [.cancel] + end(.noAnswer)
    }

    private mutating func end(_ reason: EndReason) -> [Action] {
        guard !isEnded else { return [] }
        let hadMedia = phase == .connecting || phase == .active
        phase = .ended(reason)
        giveUpAt = nil
        return hadMedia ? [.stopMedia] : []
    }
}
