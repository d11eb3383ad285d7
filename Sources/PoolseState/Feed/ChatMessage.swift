import Foundation

/// Where a message is on its way to the server.
public enum DeliveryState: Sendable, CustomStringConvertible {
    /// Stored on the server: the message has its `sequence`.
    case sent
    /// Shown at once, waiting in the outbox for the server's answer (also while offline).
    case pending
    /// The server refused it for good (a 4xx), with the typed SDK error (usually
    /// ``APIError``). ``MessageListModel/retry(_:)`` or ``MessageListModel/discard(_:)``.
    case failed(any Error)

    /// True for ``pending``.
    public var isPending: Bool {
        if case .pending = self { return true }
        return false
    }

    /// The error of ``failed(_:)``, nil otherwise.
    public var error: (any Error)? {
        if case .failed(let error) = self { return error }
        return nil
    }

    /// `sent`, `pending` or `failed(…)`.
    public var description: String {
        switch self {
        case .sent: "sent"
        case .pending: "pending"
        case .failed(let error): "failed(\(error))"
        }
    }
}

/// One row of a message list: the message as the server has it (or, while it is on its
/// way, as it will look), and its delivery state. `id` is the client id for a send, which
/// the server keeps, so a row keeps its identity when it turns from pending to sent.
public struct ChatMessage: Identifiable, Sendable {
    /// The message. For a pending or failed send `sequence` is 0 and the server's
    /// fields (`tenantId`, `senderId`, …) are empty until the server answers.
    public var message: Message
    /// Sent, pending or failed.
    public var delivery: DeliveryState

    /// The message id (the client id of a send).
    public var id: String { message.id }

    /// Creates a row.
    public init(message: Message, delivery: DeliveryState) {
        self.message = message
        self.delivery = delivery
    }
}
