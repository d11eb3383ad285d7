import PoolseWire

/// Puts the events of each conversation back in commit order when several nodes publish them.
///
/// Why receivers reorder instead of sending NOTIFY inside the writing transaction: every domain
/// operation publishes after commit (its events are built from what it committed, and
/// `conversation:updated` reads each recipient's unread count afterwards), and `PublishLanes`
/// only orders the writers of one node. Two nodes can commit sequence n and n+1 and publish
/// them the other way round. `message:new` carries a gap-free per-conversation `sequence`, so
/// the receiver can tell when one is missing: it holds the conversation's events behind the
/// gap until the missing one arrives or `window` passes (its node may have died between commit
/// and publish; a client fills such a gap from history). Events queued behind a held
/// `message:new` (edits, reactions, reads) wait with it, so they never overtake it.
///
/// The first `message:new` a node sees for a conversation has no known predecessor: it waits
/// `window` too, in case an earlier one is still on its way, unless its sequence is 1.
/// Pure: the pub/sub feeds arrivals and clock ticks and delivers what comes out.
struct SequenceOrder {
    typealias Instant = ContinuousClock.Instant

    private struct Held {
        var queue: [RealtimeMessage]
        var deadline: Instant
    }

    /// How long events wait for a missing `message:new`.
    let window: Duration
    /// Conversations remembered at most; beyond it the oldest knowledge is dropped (costing one
    /// `window` of delay on that conversation's next message).
    let capacity: Int
    private var next: [String: Int64] = [:]
    private var held: [String: Held] = [:]

    init(window: Duration, capacity: Int = 100_000) {
        self.window = window
        self.capacity = capacity
    }

    /// The events to deliver now, in order, after `message` arrived.
    mutating func accept(_ message: RealtimeMessage, now: Instant) -> [RealtimeMessage] {
        guard message.topic.hasPrefix("conversation:") else { return [message] }
        let topic = message.topic
        let sequence = Self.sequence(of: message)
        if var waiting = held[topic] {
            if let sequence, let expected = next[topic], sequence <= expected {
                // The missing one (or a late duplicate): deliver it and whatever it unblocks.
                next[topic] = max(expected, sequence + 1)
                return [message] + drain(topic)
            }
            if let sequence,
               let index = waiting.queue.firstIndex(where: { (Self.sequence(of: $0) ?? .min) > sequence }) {
                waiting.queue.insert(message, at: index)
            } else {
                waiting.queue.append(message)
            }
            held[topic] = waiting
            return []
        }
        guard let sequence else { return [message] }
        let expected = next[topic] ?? (sequence == 1 ? 1 : nil)
        if let expected, sequence <= expected {
            remember(topic, next: max(expected, sequence + 1))
            return [message]
        }
        held[topic] = Held(queue: [message], deadline: now + window)
        return []
    }

    /// Events whose wait is over at `now`: every held conversation past its deadline is delivered
    /// in order, accepting the gap.
    mutating func expire(now: Instant) -> [RealtimeMessage] {
        var out: [RealtimeMessage] = []
        for (topic, waiting) in held where waiting.deadline <= now {
            held[topic] = nil
            for message in waiting.queue {
                if let sequence = Self.sequence(of: message) { remember(topic, next: max(next[topic] ?? 0, sequence + 1)) }
                out.append(message)
            }
        }
        return out
    }

    /// Everything held, in order, without waiting (the listener reconnected: the gap will not fill).
    mutating func flush() -> [RealtimeMessage] {
        expire(now: .now + .seconds(365 * 24 * 3600))
    }

    /// The earliest deadline of a held conversation.
    var nextDeadline: Instant? { held.values.map(\.deadline).min() }

    /// Delivers the head of the conversation's queue while it is not a `message:new` past a gap.
    private mutating func drain(_ topic: String) -> [RealtimeMessage] {
        guard var waiting = held[topic] else { return [] }
        var out: [RealtimeMessage] = []
        while let head = waiting.queue.first {
            if let sequence = Self.sequence(of: head) {
                guard let expected = next[topic], sequence <= expected else { break }
                next[topic] = max(expected, sequence + 1)
            }
            out.append(waiting.queue.removeFirst())
        }
        held[topic] = waiting.queue.isEmpty ? nil : waiting
        return out
    }

    private mutating func remember(_ topic: String, next sequence: Int64) {
        if next[topic] == nil, next.count >= capacity { next.removeAll(keepingCapacity: true) }
        next[topic] = sequence
    }

    /// The `sequence` of a `message:new`; nil for every other event.
    static func sequence(of message: RealtimeMessage) -> Int64? {
        guard message.event == RealtimeEvent.messageNew,
              case .number(let value)? = message.payload.objectValue?["sequence"]
        else { return nil }
        return Int64(exactly: value)
    }
}
