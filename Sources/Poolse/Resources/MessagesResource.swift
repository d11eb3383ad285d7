/// Messages by id (`chat.messages`), for operations that need no conversation id.
public struct MessagesResource: Sendable {
    let rest: RESTClient

    /// A handle on one message. Makes no request.
    public func one(_ id: String) -> MessageHandle {
        MessageHandle(id: id, rest: rest)
    }
}
