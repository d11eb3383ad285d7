/// Why a call or voice-room push was refused: the `reason` of the error reply (`{reason}`), as
/// `@poolse/sdk` reads it. Realtime only, so it is not a `DomainError` (which maps to HTTP).
struct CallRefusal: Error, Sendable, Equatable {
    let reason: String

    /// Not a member of the conversation, not a participant of the call, or not its caller.
    static let forbidden = CallRefusal(reason: "forbidden")
    /// No such call (or conversation) for this user.
    static let notFound = CallRefusal(reason: "not_found")
    /// The call is over: cancelled, hung up, declined by everyone, or rang out.
    static let callEnded = CallRefusal(reason: "call_ended")
    /// The call was answered already: `call:cancel` is too late (hang up instead).
    static let callActive = CallRefusal(reason: "call_active")
    /// This callee already accepted, declined or was busy.
    static let alreadyAnswered = CallRefusal(reason: "already_answered")
    /// Every other member blocks the caller.
    static let blocked = CallRefusal(reason: "blocked")
    /// Only the caller is in the conversation.
    static let noCallees = CallRefusal(reason: "no_callees")
    /// The conversation has more members than one invite may ring (`CallConfiguration.maxCallees`).
    static let tooManyCallees = CallRefusal(reason: "too_many_callees")
    /// A field is missing or malformed.
    static let invalidPayload = CallRefusal(reason: "invalid_payload")
    /// The event is not one the topic knows.
    static let unhandledEvent = CallRefusal(reason: "unhandled event")
    /// Voice rooms: the sender has not sent `voice:join`.
    static let notInRoom = CallRefusal(reason: "not_in_room")
    /// Voice rooms: the signal's target is not in the room.
    static let targetNotInRoom = CallRefusal(reason: "target_not_in_room")
    /// Voice rooms: a signal without `data`.
    static let emptySignal = CallRefusal(reason: "empty_signal")
    /// Something went wrong on the server.
    static let internalError = CallRefusal(reason: "internal error")
}
