/// Stops a subscription when called: `let off = chat.users.subscribe(id) { … }; off()`.
/// Calling it more than once does nothing more.
public struct Unsubscribe: Sendable {
    private let action: @Sendable () -> Void

    init(_ action: @escaping @Sendable () -> Void) { self.action = action }

    /// Stops the subscription.
    public func callAsFunction() { action() }
}
