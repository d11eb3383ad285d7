/// The main feed of one conversation as far as a model holds it: a window of consecutive
/// messages in `sequence` order, at most ``limit`` of them. Pure value, no I/O, so every
/// ordering of REST answers and realtime events can be tested without a server.
///
/// The window is exact: it holds every main-feed message between its first and last
/// sequence, each once. A message outside it (older than the first while ``hasOlder``,
/// newer than the last while ``hasNewer``) is not taken in, because that would open a
/// hole; paging brings it in. Thread replies never enter it: they bump their root's
/// `replyCount`, once per reply id.
struct FeedWindow: Sendable {
    /// The most messages held; older ones fall out at the front (and ``hasOlder`` turns true).
    let limit: Int
    /// Ascending by sequence.
    private(set) var messages: [Message] = []
    /// The server has main-feed messages before the first one.
    var hasOlder = false
    /// The window stops before the newest messages (after paging far back).
    var hasNewer = false
    /// Replies at or below this sequence are already counted in the `replyCount` the
    /// server gave the roots, so seeing them again counts nothing.
    private(set) var replyCountBaseline: Int64 = 0
    private var sequences: [String: Int64] = [:]
    private var countedReplies: Set<String> = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var oldestSequence: Int64? { messages.first?.sequence }
    var newestSequence: Int64? { messages.last?.sequence }

    func contains(_ id: String) -> Bool { sequences[id] != nil }

    func message(_ id: String) -> Message? {
        guard let sequence = sequences[id], let index = index(of: sequence) else { return nil }
        return messages[index]
    }

    /// Takes in a message from the server (REST answer, live event or catch-up). Returns
    /// false when nothing changed.
    @discardableResult
    mutating func apply(_ message: Message) -> Bool {
        if let root = message.threadRootId, root != message.id {
            return countReply(message, root: root)
        }
        if let sequence = sequences[message.id], let index = index(of: sequence) {
            // Events and answers can cross: never let an older copy win.
            guard message.updatedAt >= messages[index].updatedAt, messages[index] != message else { return false }
            messages[index] = message
            return true
        }
        if let oldest = oldestSequence, message.sequence < oldest, hasOlder { return false }
        if let newest = newestSequence, message.sequence > newest, hasNewer { return false }
        let position = insertionIndex(for: message.sequence)
        if position < messages.count, messages[position].sequence == message.sequence { return false }
        messages.insert(message, at: position)
        sequences[message.id] = message.sequence
        trimFront()
        return true
    }

    /// Replaces everything with the newest page of the main feed (ascending), e.g. when the
    /// cache is too far behind to catch up. `lastSequence` is the conversation's when the
    /// page was asked for: replies up to it are in the page's reply counts.
    mutating func replaceAll(with page: [Message], hasOlder: Bool, lastSequence: Int64) {
        messages = []
        sequences = [:]
        countedReplies = []
        replyCountBaseline = lastSequence
        self.hasOlder = hasOlder
        hasNewer = false
        for message in page where message.threadRootId == nil || message.threadRootId == message.id {
            let position = insertionIndex(for: message.sequence)
            messages.insert(message, at: position)
            sequences[message.id] = message.sequence
        }
        trimFront()
    }

    /// Adds a page of older messages (any order) in front. When the window is full the
    /// newest fall out at the back instead, and ``hasNewer`` turns true.
    mutating func prepend(older page: [Message], hasOlder: Bool) {
        let oldest = oldestSequence ?? .max
        for message in page where message.sequence < oldest && !contains(message.id)
            && (message.threadRootId == nil || message.threadRootId == message.id)
        {
            messages.insert(message, at: insertionIndex(for: message.sequence))
            sequences[message.id] = message.sequence
        }
        self.hasOlder = hasOlder
        while messages.count > limit {
            let dropped = messages.removeLast()
            sequences[dropped.id] = nil
            hasNewer = true
        }
    }

    /// Adds a page of newer main-feed messages after ``hasNewer``; `reachedEnd` clears it.
    mutating func append(newer page: [Message], reachedEnd: Bool) {
        let newest = newestSequence ?? .min
        for message in page.sorted(by: { $0.sequence < $1.sequence }) where message.sequence > newest
            && !contains(message.id) && (message.threadRootId == nil || message.threadRootId == message.id)
        {
            messages.append(message)
            sequences[message.id] = message.sequence
        }
        if reachedEnd { hasNewer = false }
        trimFront()
    }

    /// Changes one message in place (optimistic edits); returns the copy before the change.
    @discardableResult
    mutating func update(_ id: String, _ change: (inout Message) -> Void) -> Message? {
        guard let sequence = sequences[id], let index = index(of: sequence) else { return nil }
        let before = messages[index]
        change(&messages[index])
        return before
    }

    /// Puts back the copy `update` returned, unless the server changed the message since.
    mutating func rollBack(to before: Message, ifStill after: Message) {
        guard let sequence = sequences[before.id], let index = index(of: sequence),
              messages[index] == after else { return }
        messages[index] = before
    }

    private mutating func countReply(_ reply: Message, root: String) -> Bool {
        guard reply.sequence > replyCountBaseline, !countedReplies.contains(reply.id) else { return false }
        countedReplies.insert(reply.id)
        guard let sequence = sequences[root], let index = index(of: sequence) else { return false }
        messages[index].replyCount = (messages[index].replyCount ?? 0) + 1
        return true
    }

    private mutating func trimFront() {
        let excess = messages.count - limit
        guard excess > 0 else { return }
        for dropped in messages[..<excess] { sequences[dropped.id] = nil }
        messages.removeFirst(excess)
        hasOlder = true
    }

    private func index(of sequence: Int64) -> Int? {
        let position = insertionIndex(for: sequence)
        return position < messages.count && messages[position].sequence == sequence ? position : nil
    }

    /// The first index whose sequence is not below `sequence` (binary search).
    private func insertionIndex(for sequence: Int64) -> Int {
        var low = 0, high = messages.count
        while low < high {
            let middle = (low + high) / 2
            if messages[middle].sequence < sequence { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
