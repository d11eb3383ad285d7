/// The "no silent loss" rule of a conversation channel, without any I/O: which events
/// to deliver now, which to hold, and when to list missed messages over REST.
///
/// - It remembers the highest `sequence` it delivered. Message sequences are gap-free
///   per conversation and arrive in commit order, so a `message:new` at or below it is
///   a duplicate and dropped: no message id is delivered twice.
/// - After a **rejoin** it lists every message after that point
///   (`GET …/messages?after=`, oldest first, in pages of ``pageSize``) and delivers them
///   before anything that arrived live meanwhile; message-related live events are held
///   until the catch-up is done. Presence and typing pass straight through.
/// - A live message that skips a sequence (one went missing without a reconnect)
///   starts the same catch-up from the last delivered one.
/// - After the **first** join, before any message was delivered, it asks for the
///   conversation's `last_sequence` (``Output/fetchBaseline``) so that a rejoin before
///   the first message still knows where to resume.
/// - When a catch-up fails (after the REST retries) the held events are delivered and
///   the channel reports `catch_up_failed`: a gap the app hears about, never a silent one.
struct MessageCatchUp: Sendable {
    /// Messages per catch-up request: the server's maximum.
    static let pageSize = 200

    enum Output: Hashable, Sendable {
        case deliver(ConversationEvent)
        /// List messages with `sequence > after`; answer with ``pageFetched(_:generation:)``
        /// or ``fetchFailed(generation:)``.
        case fetchPage(after: Int64, generation: Int)
        /// Read the conversation's `last_sequence`; answer with ``baselineFetched(_:)``.
        case fetchBaseline
    }

    /// The highest sequence delivered to `onMessage`.
    private(set) var highestDelivered: Int64?
    /// The conversation's `last_sequence` right after the first join.
    private(set) var baseline: Int64?
    private(set) var isCatchingUp = false
    private var held: [ConversationEvent] = []
    /// Bumped by every catch-up start, so the answer of a superseded one is ignored.
    private var generation = 0

    /// Where a catch-up starts: after the last delivered message, else after the baseline.
    var resumePoint: Int64? { highestDelivered ?? baseline }

    /// The channel's join succeeded.
    mutating func joined(isRejoin: Bool) -> [Output] {
        if isRejoin, let after = resumePoint {
            return startCatchUp(after: after)
        }
        return resumePoint == nil ? [.fetchBaseline] : []
    }

    /// A live event arrived.
    mutating func received(_ event: ConversationEvent) -> [Output] {
        if event.isMomentary { return [.deliver(event)] }
        if isCatchingUp {
            held.append(event)
            return []
        }
        return deliverLive(event, detectGaps: true)
    }

    /// A catch-up page arrived, oldest first.
    mutating func pageFetched(_ messages: [Message], generation: Int) -> [Output] {
        guard isCatchingUp, generation == self.generation else { return [] }
        var outputs: [Output] = []
        for message in messages.sorted(by: { $0.sequence < $1.sequence }) {
            if let highest = highestDelivered, message.sequence <= highest { continue }
            highestDelivered = message.sequence
            outputs.append(.deliver(.message(message)))
        }
        if messages.count >= Self.pageSize, let last = messages.map(\.sequence).max() {
            outputs.append(.fetchPage(after: last, generation: generation))
            return outputs
        }
        isCatchingUp = false
        return outputs + flushHeld(detectGaps: true)
    }

    /// The catch-up request failed for good: deliver what was held, accepting the gap.
    mutating func fetchFailed(generation: Int) -> [Output] {
        guard isCatchingUp, generation == self.generation else { return [] }
        isCatchingUp = false
        return flushHeld(detectGaps: false)
    }

    /// The conversation's `last_sequence` after the first join.
    mutating func baselineFetched(_ lastSequence: Int64) {
        baseline = max(baseline ?? lastSequence, lastSequence)
    }

    private mutating func startCatchUp(after: Int64) -> [Output] {
        isCatchingUp = true
        generation += 1
        return [.fetchPage(after: after, generation: generation)]
    }

    private mutating func deliverLive(_ event: ConversationEvent, detectGaps: Bool) -> [Output] {
        guard case .message(let message) = event else { return [.deliver(event)] }
        if let highest = highestDelivered, message.sequence <= highest { return [] }
        if detectGaps, let resume = resumePoint, message.sequence > resume + 1 {
            held.append(event)
            return startCatchUp(after: resume)
        }
        highestDelivered = message.sequence
        return [.deliver(event)]
    }

    private mutating func flushHeld(detectGaps: Bool) -> [Output] {
        let pending = held
        held = []
        var outputs: [Output] = []
        for event in pending {
            if isCatchingUp {
                held.append(event)
            } else {
                outputs += deliverLive(event, detectGaps: detectGaps)
            }
        }
        return outputs
    }
}
