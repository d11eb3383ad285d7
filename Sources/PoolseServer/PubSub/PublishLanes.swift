import NIOConcurrencyHelpers

/// One turn at a time per key (a conversation id), first come first served: a writer takes the
/// conversation's turn before its transaction and ends it after publishing.
///
/// Why: the store commits two sends of one conversation one after the other, but the tasks that
/// publish afterwards race, so `message:new` n+1 could reach the gateway before n. Holding the
/// turn from before the commit until after the publish makes publish order equal commit order,
/// for every event of the conversation (edits, reactions, reads and kicks too), which reordering
/// `message:new` by `sequence` in the gateway would not. `ChangeCommitter` takes the turn.
///
/// Across nodes the turn does not reach: a PostgreSQL pub/sub sends `NOTIFY` after the commit,
/// so two nodes' events of one conversation can cross, and the receivers put `message:new` back
/// in `sequence` order (`SequenceOrder`).
///
/// A lock rather than an actor so that `Turn.end()` is synchronous and fits in a `defer`.
final class PublishLanes: Sendable {
    /// Lanes shared by every pub/sub of the process that does not bring its own.
    static let shared = PublishLanes()

    /// Keys with a turn in progress, each with the writers waiting for it in arrival order.
    private let lanes = NIOLockedValueBox<[String: [CheckedContinuation<Void, Never>]]>([:])

    /// The right to commit and publish for `key`, once every earlier holder has ended its turn.
    func turn(_ key: String) async -> Turn {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let runsNow = lanes.withLockedValue { lanes -> Bool in
                guard var waiting = lanes[key] else {
                    lanes[key] = []
                    return true
                }
                waiting.append(continuation)
                lanes[key] = waiting
                return false
            }
            if runsNow { continuation.resume() }
        }
        return Turn(lanes: self, key: key)
    }

    fileprivate func end(_ key: String) {
        let next = lanes.withLockedValue { lanes -> CheckedContinuation<Void, Never>? in
            guard var waiting = lanes[key], !waiting.isEmpty else {
                lanes[key] = nil
                return nil
            }
            let next = waiting.removeFirst()
            lanes[key] = waiting
            return next
        }
        next?.resume()
    }

    /// Writers waiting for `key` behind the current turn.
    func waitingCount(_ key: String) -> Int {
        lanes.withLockedValue { $0[key]?.count ?? 0 }
    }

    /// A held turn; `end()` it exactly once, after publishing.
    struct Turn: Sendable {
        fileprivate let lanes: PublishLanes
        fileprivate let key: String

        /// Passes the turn to the next waiting writer.
        func end() { lanes.end(key) }
    }
}
