import Foundation
import PoolseState
import Testing
@testable import PoolseChatUI

@Suite("From SDK values to rows")
struct RowMappingTests {
    private let date = Date(timeIntervalSince1970: 1_764_763_200)  // 2025-12-03 12:00 UTC

    private var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }

    @Test func aDirectConversationIsNamedAfterTheOtherPerson() {
        let direct = Conversation(id: "c", tenantId: "t", type: .direct, memberExternalIds: ["ann", "ben"],
                                  insertedAt: date, updatedAt: date)
        #expect(RowMapping.name(of: direct, me: "ann") == "@ben")
        var group = direct
        group.type = .group
        group.name = "Saturday"
        #expect(RowMapping.name(of: group, me: "ann") == "Saturday")
    }

    @Test func timesAreClockTimesTodayAndDatedOtherwise() {
        #expect(RowMapping.time(date, calendar: utc, now: date.addingTimeInterval(60)) == "12:00")
        #expect(RowMapping.time(date, calendar: utc, now: date.addingTimeInterval(86_400 * 2)) == "12-03 12:00")
    }

    @Test func messagesCarryEditsDeletionsReactionsRepliesAndFiles() {
        let file = Attachment(id: "a", tenantId: "t", senderId: "u", contentType: "image/png", byteSize: 2_048,
                              originalFilename: "map.png", status: .ready, insertedAt: date, updatedAt: date)
        let message = Message(id: "m", tenantId: "t", conversationId: "c", senderId: "u", senderExternalId: "ann",
                              body: "hi", replyCount: 2, reactions: ["👍": ["u", "v"], "🎉": ["u"], "❤️": []],
                              attachments: [file], editedAt: date, sequence: 1, insertedAt: date, updatedAt: date)
        let row = RowMapping.row(ChatMessage(message: message, delivery: .pending), calendar: utc)
        #expect(row.sender == "ann")
        #expect(row.isEdited && !row.isDeleted)
        #expect(row.reactions == [ReactionCount(emoji: "👍", count: 2), ReactionCount(emoji: "🎉", count: 1)],
                "most reacted first, empty ones left out")
        #expect(row.replyCount == 2)
        #expect(row.attachments == [AttachmentLabel(name: "map.png", byteSize: 2_048)])
        #expect(row.delivery == .pending)
    }

    @Test func uploadContentTypesComeFromTheExtension() {
        #expect(ContentType.of(path: "/tmp/Photo.JPG") == "image/jpeg")
        #expect(ContentType.of(path: "notes.txt") == "text/plain")
        #expect(ContentType.of(path: ".profile") == "application/octet-stream")
        #expect(ContentType.of(path: "archive.tar.xz") == "application/octet-stream")
    }

    @MainActor @Test func downloadsNeverOverwriteAndNeverLeaveTheFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chat-dl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(ChatController.freeName(in: folder, for: "a.pdf").lastPathComponent == "a.pdf")
        try Data().write(to: folder.appendingPathComponent("a.pdf"))
        #expect(ChatController.freeName(in: folder, for: "a.pdf").lastPathComponent == "a (1).pdf")
        let sneaky = ChatController.freeName(in: folder, for: "../../etc/passwd")
        #expect(sneaky.deletingLastPathComponent().path == folder.path)
        #expect(ChatController.freeName(in: folder, for: "...").lastPathComponent == "download")
    }
}
