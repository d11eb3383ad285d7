import Foundation

/// Collects what a listener receives.
final class Collected<Value: Sendable>: @unchecked Sendable {
    // @unchecked: the array is only touched under the lock.
    private let lock = NSLock()
    private var values: [Value] = []

    var all: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    var append: @Sendable (Value) -> Void {
        { [self] value in
            lock.lock()
            values.append(value)
            lock.unlock()
        }
    }
}
