import Foundation

/// A ringing event on the user's channel (`call:*` on `user:<id>`), typed.
public enum CallSignalEvent: Sendable, Hashable {
    /// Someone rings you.
    case incoming(CallIncomingEvent)
    /// A callee accepted (you, on another device, included).
    case accepted(CallUserEvent)
    /// A callee declined.
    case declined(CallUserEvent)
    /// A callee is busy.
    case busy(CallUserEvent)
    /// The caller cancelled, or nobody answered in time (`reason` `no_answer`).
    case cancelled(CallCancelledEvent)
    /// Someone hung up: the call is over.
    case ended(CallUserEvent)

    /// The call the event is about.
    public var callId: String {
        switch self {
        case .incoming(let event): event.callId
        case .accepted(let event), .declined(let event), .busy(let event), .ended(let event): event.callId
        case .cancelled(let event): event.callId
        }
    }

    /// Decodes a `call:*` event; nil for other events.
    init?(event: String, payload: JSONValue) throws {
        switch event {
        case CallEvent.incoming: self = .incoming(try payload.decode(as: CallIncomingEvent.self))
        case CallEvent.accepted: self = .accepted(try payload.decode(as: CallUserEvent.self))
        case CallEvent.declined: self = .declined(try payload.decode(as: CallUserEvent.self))
        case CallEvent.busyEvent: self = .busy(try payload.decode(as: CallUserEvent.self))
        case CallEvent.cancelled: self = .cancelled(try payload.decode(as: CallCancelledEvent.self))
        case CallEvent.ended: self = .ended(try payload.decode(as: CallUserEvent.self))
        default: return nil
        }
    }
}
