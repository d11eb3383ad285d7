import Foundation

/// State behind a lock, for the few places that must answer synchronously
/// (``UsersResource/peek(_:)``) and so cannot be actors. `Mutex` would do, but it
/// needs macOS 15 / iOS 18 and the package supports macOS 14 / iOS 17.
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) { self.state = state }

    /// Runs `body` with exclusive access to the state. Keep it short and never call
    /// out to user code inside it.
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
