import Foundation
@testable import PoolseState
import Testing

/// The window's rules without a server: every ordering of answers and events.
@Suite("FeedWindow")
struct FeedWindowTests {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    static func message(_ sequence: Int64, id: String? = nil, root: String? = nil, body: String = "b",
                        updated: TimeInterval = 0) -> Message {
        Message(id: id ?? "m\(sequence)", tenantId: "t", conversationId: "c", senderId: "u", senderExternalId: "x",
                body: body, threadRootId: root, sequence: sequence, insertedAt: epoch,
                updatedAt: epoch.addingTimeInterval(updated))
    }

    @Test func theSameMessageTwiceIsHeldOnce() {
        var window = FeedWindow(limit: 10)
        let changed1 = window.apply(Self.message(1))
        #expect(changed1)
        let changed2 = window.apply(Self.message(1))
        #expect(!changed2)
        #expect(window.messages.map(\.id) == ["m1"])
    }

    @Test func messagesLandInSequenceOrderWhateverTheArrivalOrder() {
        var window = FeedWindow(limit: 10)
        for sequence: Int64 in [3, 1, 2, 5, 4] { window.apply(Self.message(sequence)) }
        #expect(window.messages.map(\.sequence) == [1, 2, 3, 4, 5])
    }

    @Test func anOlderCopyNeverReplacesANewerOne() {
        var window = FeedWindow(limit: 10)
        window.apply(Self.message(1, body: "edited", updated: 5))
        window.apply(Self.message(1, body: "original", updated: 0))
        #expect(window.messages.first?.body == "edited")
    }

    @Test func theWindowDropsItsOldestBeyondTheLimit() {
        var window = FeedWindow(limit: 3)
        for sequence: Int64 in 1...10 { window.apply(Self.message(sequence)) }
        #expect(window.messages.map(\.sequence) == [8, 9, 10])
        #expect(window.hasOlder)
        // A message older than the window would open a hole: it stays out.
        let changed3 = window.apply(Self.message(2, id: "late"))
        #expect(!changed3)
    }

    @Test func pagingBackDropsTheNewestWhenFullAndPagingForwardEndsIt() {
        var window = FeedWindow(limit: 3)
        window.replaceAll(with: [Self.message(8), Self.message(9), Self.message(10)], hasOlder: true, lastSequence: 10)
        window.prepend(older: [Self.message(6), Self.message(7)], hasOlder: true)
        #expect(window.messages.map(\.sequence) == [6, 7, 8])
        #expect(window.hasNewer)
        let changed4 = window.apply(Self.message(11))
        #expect(!changed4)
        window.append(newer: [Self.message(9), Self.message(10), Self.message(11)], reachedEnd: true)
        #expect(window.messages.map(\.sequence) == [9, 10, 11])
        #expect(!window.hasNewer)
    }

    @Test func aReplyRaisesItsRootOnceAndStaysOutOfTheFeed() {
        var window = FeedWindow(limit: 10)
        window.replaceAll(with: [Self.message(1)], hasOlder: false, lastSequence: 1)
        let reply = Self.message(2, id: "r", root: "m1")
        let changed5 = window.apply(reply)
        #expect(changed5)
        let changed6 = window.apply(reply)
        #expect(!changed6)
        #expect(window.messages.map(\.id) == ["m1"])
        #expect(window.message("m1")?.replyCount == 1)
    }

    @Test func aReplyAlreadyCountedByTheServerIsNotCountedAgain() {
        var window = FeedWindow(limit: 10)
        var root = Self.message(1)
        root.replyCount = 1
        window.replaceAll(with: [root], hasOlder: false, lastSequence: 2)
        window.apply(Self.message(2, id: "r", root: "m1"))
        #expect(window.message("m1")?.replyCount == 1)
    }

    @Test func aRollbackYieldsToAServerChangeMadeMeanwhile() {
        var window = FeedWindow(limit: 10)
        window.apply(Self.message(1, body: "old"))
        let before = window.update("m1") { $0.body = "mine" }
        let after = window.message("m1")
        window.apply(Self.message(1, body: "theirs", updated: 9))
        if let before, let after { window.rollBack(to: before, ifStill: after) }
        #expect(window.message("m1")?.body == "theirs")
    }
}
