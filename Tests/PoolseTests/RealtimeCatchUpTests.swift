import Foundation
import Testing
@testable import Poolse

/// The no-silent-loss rule as a pure struct: what is delivered, held and fetched.
@Suite("Realtime: message catch-up")
struct RealtimeCatchUpTests {
    static func message(_ sequence: Int64) -> Message {
        Message(id: "m-\(sequence)", tenantId: "t-1", conversationId: "c-1", senderId: "u-1", senderExternalId: "alice",
                body: "#\(sequence)", sequence: sequence, insertedAt: Date(timeIntervalSince1970: 0),
                updatedAt: Date(timeIntervalSince1970: 0))
    }

    static func live(_ sequence: Int64) -> ConversationEvent { .message(message(sequence)) }

    let typing = ConversationEvent.typingStart(TypingEvent(userId: "u-2", externalId: "bob"))

    /// Sequences of the messages among `outputs`.
    func delivered(_ outputs: [MessageCatchUp.Output]) -> [Int64] {
        outputs.compactMap { output in
            if case .deliver(.message(let message)) = output { return message.sequence }
            return nil
        }
    }

    @Test func liveMessagesAreDeliveredOnceInOrder() {
        var catchUp = MessageCatchUp()
        #expect(catchUp.joined(isRejoin: false) == [.fetchBaseline])
        var outputs: [MessageCatchUp.Output] = []
        for sequence: Int64 in [1, 2, 2, 1, 3] { outputs += catchUp.received(Self.live(sequence)) }
        #expect(delivered(outputs) == [1, 2, 3])
        #expect(catchUp.highestDelivered == 3)
    }

    @Test func aRejoinListsWhatCameAfterTheLastDeliveredAndHoldsLiveEventsUntilThen() {
        var catchUp = MessageCatchUp()
        _ = catchUp.joined(isRejoin: false)
        _ = catchUp.received(Self.live(1))
        _ = catchUp.received(Self.live(2))

        #expect(catchUp.joined(isRejoin: true) == [.fetchPage(after: 2, generation: 1)])
        #expect(catchUp.received(Self.live(5)) == [])  // held: older ones come first
        #expect(catchUp.received(typing) == [.deliver(typing)])  // typing is about now
        let read = ConversationEvent.memberRead(MemberReadEvent(userId: "u-2", conversationId: "c-1",
                                                                lastReadMessageId: "m-5", lastReadAt: nil))
        #expect(catchUp.received(read) == [])

        let outputs = catchUp.pageFetched([Self.message(3), Self.message(4), Self.message(5)], generation: 1)
        #expect(delivered(outputs) == [3, 4, 5])     // 5 once, though it came live too
        #expect(outputs.last == .deliver(read))      // then the held events, in order
        #expect(catchUp.isCatchingUp == false)
        #expect(delivered(catchUp.received(Self.live(6))) == [6])
    }

    @Test func fullPagesAreFollowedByTheNextPage() {
        var catchUp = MessageCatchUp()
        _ = catchUp.joined(isRejoin: false)
        _ = catchUp.received(Self.live(1))
        _ = catchUp.joined(isRejoin: true)
        let page = (2...Int64(MessageCatchUp.pageSize + 1)).map(Self.message)
        let outputs = catchUp.pageFetched(page, generation: 1)
        #expect(delivered(outputs).count == MessageCatchUp.pageSize)
        #expect(outputs.last == .fetchPage(after: Int64(MessageCatchUp.pageSize + 1), generation: 1))
        #expect(delivered(catchUp.pageFetched([Self.message(202)], generation: 1)) == [202])
        #expect(!catchUp.isCatchingUp)
    }

    @Test func aSkippedSequenceStartsACatchUpWithoutAReconnect() {
        var catchUp = MessageCatchUp()
        _ = catchUp.joined(isRejoin: false)
        _ = catchUp.received(Self.live(1))
        #expect(catchUp.received(Self.live(3)) == [.fetchPage(after: 1, generation: 1)])
        #expect(delivered(catchUp.pageFetched([Self.message(2), Self.message(3)], generation: 1)) == [2, 3])
    }

    @Test func aFailedCatchUpDeliversWhatWasHeldAndMovesOn() {
        var catchUp = MessageCatchUp()
        _ = catchUp.joined(isRejoin: false)
        _ = catchUp.received(Self.live(1))
        _ = catchUp.joined(isRejoin: true)
        _ = catchUp.received(Self.live(4))
        #expect(delivered(catchUp.fetchFailed(generation: 1)) == [4])
        #expect(!catchUp.isCatchingUp)
    }

    @Test func aRejoinBeforeAnyMessageResumesFromTheBaseline() {
        var catchUp = MessageCatchUp()
        #expect(catchUp.joined(isRejoin: false) == [.fetchBaseline])
        catchUp.baselineFetched(7)
        #expect(catchUp.joined(isRejoin: true) == [.fetchPage(after: 7, generation: 1)])
        #expect(delivered(catchUp.pageFetched([Self.message(8)], generation: 1)) == [8])
    }

    @Test func theAnswerOfASupersededCatchUpIsIgnored() {
        var catchUp = MessageCatchUp()
        _ = catchUp.joined(isRejoin: false)
        _ = catchUp.received(Self.live(1))
        _ = catchUp.joined(isRejoin: true)
        _ = catchUp.joined(isRejoin: true)  // the socket dropped again mid catch-up
        #expect(catchUp.pageFetched([Self.message(2)], generation: 1) == [])
        #expect(delivered(catchUp.pageFetched([Self.message(2)], generation: 2)) == [2])
    }
}
