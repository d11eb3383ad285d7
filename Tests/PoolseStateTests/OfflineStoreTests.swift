import Foundation
import GRDB
import Logging
@testable import PoolseServer
import SQLKit
@testable import PoolseState
import Testing
import PoolseTestSupport

/// The store and the outbox against a live server: cached state before the network,
/// sends that wait for it, a process killed mid-write, and a very long conversation.
@Suite("PoolseState offline store and outbox, live", .serialized)
@MainActor
struct OfflineStoreTests {
    static func session(_ server: ServerFixture, _ store: PoolseStore?, windowSize: Int = 500) -> PoolseSession {
        PoolseSession(client: server.client(for: "alice"), store: store,
                      configuration: .init(windowSize: windowSize, outboxRetryDelay: .milliseconds(50),
                                           outboxMaxRetryDelay: .milliseconds(200)))
    }

    static func group(_ server: ServerFixture) async throws -> (bob: Poolse, id: String) {
        let bob = server.client(for: "bob")
        let group = try await bob.conversations.create(.init(type: .group, name: "G", memberExternalIds: ["alice"]))
        return (bob, group.id)
    }

    @Test func sendsMadeWhileTheServerIsDownGoOutOnceInOrderWhenItReturns() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let temporary = TemporaryStorePath()
            defer { temporary.remove() }
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            let session = Self.session(server, try PoolseStore(path: temporary.path))
            defer { session.signOut() }
            let feed = MessageListModel(session: session, conversationID: conversationID)
            try await eventually("sync") { feed.isSynced && session.me != nil }

            await server.stop(closing: true)
            let photo = AttachmentUploadInput(data: Data("a small photo".utf8), contentType: "image/png",
                                              filename: "photo.png")
            let ids = [try feed.send("offline 0"), try feed.send("offline 1", attachments: [photo]),
                       try feed.send("offline 2")]
            #expect(feed.messages.map(\.id) == ids)
            #expect(try session.store?.outbox().map(\.id) == ids, "written down before anything goes out")
            // Several attempts fail while the server is away; none of them loses a send.
            try await Task.sleep(for: .milliseconds(400))
            #expect(feed.messages.allSatisfy { $0.delivery.isPending })

            try await server.restart()
            try await eventually("the outbox to drain") { session.outbox.entries.isEmpty }
            try await eventually("the feed") { feed.messages.allSatisfy { $0.message.sequence > 0 } }
            let onServer = try await serverFeed(bob, conversationID)
            #expect(onServer.map(\.id) == ids, "each once, in the order sent")
            #expect(onServer.map(\.body) == ["offline 0", "offline 1", "offline 2"])
            #expect(onServer[1].attachments?.map(\.originalFilename) == ["photo.png"], "uploaded first")
            #expect(onServer[1].attachments?.first?.status == .ready)
            #expect(try session.store?.outbox().isEmpty == true)
        }
    }

    @Test func theCachedStateShowsBeforeTheNetworkAndSignOutWipesIt() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let temporary = TemporaryStorePath()
            defer { temporary.remove() }
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            var sent: [String] = []
            for index in 0..<5 {
                sent.append(try await bob.conversations.one(conversationID).messages.send(.init(body: "m\(index)")).id)
            }
            let first = Self.session(server, try PoolseStore(path: temporary.path, messagesPerConversation: 3))
            let inbox = InboxModel(session: first)
            let feed = MessageListModel(session: first, conversationID: conversationID)
            let conversation = ConversationModel(session: first, conversationID: conversationID)
            try await eventually("sync") {
                feed.messages.map(\.id) == sent && conversation.members.count == 2 && inbox.isLoaded
            }
            first.close()

            // Relaunch with the server gone: the last known state, at once.
            await server.stop(closing: true)
            let store = try PoolseStore(path: temporary.path, messagesPerConversation: 3)
            #expect(try store.messageCount(of: conversationID) == 3, "the store keeps the newest N")
            let second = Self.session(server, store)
            #expect(second.me?.externalId == "alice")
            #expect(InboxModel(session: second).conversations.map(\.id) == [conversationID])
            let cachedFeed = MessageListModel(session: second, conversationID: conversationID)
            #expect(cachedFeed.messages.map(\.id) == Array(sent.suffix(3)))
            #expect(!cachedFeed.isSynced)
            #expect(ConversationModel(session: second, conversationID: conversationID).members.count == 2)

            // Back online: it reconciles, including what was sent while it was away.
            try await server.restart()
            let later = try await bob.conversations.one(conversationID).messages.send(.init(body: "later"))
            try await eventually("reconciled") { cachedFeed.isSynced && cachedFeed.messages.last?.id == later.id }

            second.signOut()
            let wiped = try PoolseStore(path: temporary.path)
            #expect(try wiped.owner() == nil)
            #expect(try wiped.conversations().isEmpty)
            #expect(try wiped.messageCount(of: conversationID) == 0)
        }
    }

    @Test func aStoreOfAnotherUserIsWipedBeforeAnythingIsSent() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let temporary = TemporaryStorePath()
            defer { temporary.remove() }
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            let store = try PoolseStore(path: temporary.path)
            let bobSession = PoolseSession(client: server.client(for: "bob"), store: store)
            try await eventually("bob") { bobSession.me != nil }
            bobSession.client.realtime.disconnect()
            await server.stop(closing: true)
            _ = try MessageListModel(session: bobSession, conversationID: conversationID).send("bob's, never sent")
            bobSession.close()
            try await server.restart()

            let alice = Self.session(server, try PoolseStore(path: temporary.path))
            defer { alice.signOut() }
            try await eventually("alice") { alice.me?.externalId == "alice" }
            #expect(alice.outbox.entries.isEmpty)
            #expect(try alice.store?.outbox().isEmpty == true)
            #expect(try await serverFeed(bob, conversationID).isEmpty)
        }
    }

    @Test func aProcessKilledMidWriteLeavesAStoreThatRelaunchesAndResumes() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let temporary = TemporaryStorePath()
            defer { temporary.remove() }
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            let token = try await server.token(for: "alice")

            let probe = Process()
            probe.executableURL = Self.probeExecutable
            probe.arguments = [temporary.path, server.url.absoluteString, token, conversationID, "400"]
            let output = Pipe()
            probe.standardOutput = output
            try ProcessLaunch.run(probe)
            // Kill it while it is still queueing and sending: some sends are out, some not.
            var queued: [String] = []
            var buffer = Data()
            while queued.count < 40 {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                buffer += chunk
                let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                queued = lines.dropLast().compactMap { line in line.split(separator: " ").last.map(String.init) }
            }
            kill(probe.processIdentifier, SIGKILL)
            probe.waitUntilExit()
            #expect(probe.terminationReason == .uncaughtSignal)
            #expect(queued.count >= 40)

            // The file opens, whole; everything the child reported queued is in it, sent or waiting.
            let store = try PoolseStore(path: temporary.path)
            let waiting = try store.outbox().map(\.id)
            let delivered = try store.messages(of: conversationID).map(\.id)
            #expect(Set(queued).isSubset(of: Set(waiting + delivered)))
            #expect(!waiting.isEmpty, "killed before the outbox drained")

            // Relaunch in this process: the cached state at once, then the pending sends resume.
            let session = Self.session(server, store)
            defer { session.signOut() }
            let feed = MessageListModel(session: session, conversationID: conversationID)
            // (A send whose echo was stored just before the kill may still be in the outbox too.)
            let expected = delivered + waiting.filter { !delivered.contains($0) }
            #expect(feed.messages.map(\.id) == expected)
            try await eventually("the outbox to drain", timeout: .seconds(60)) { session.outbox.entries.isEmpty }
            let onServer = try await serverFeed(bob, conversationID).map(\.id)
            #expect(onServer == expected, "each send once, in the order made")
            #expect(Set(onServer).count == onServer.count)
        }
    }

    @Test func aSendReplayedWithOtherBytesUnderItsKeyIsNeitherDuplicatedNorFailed() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            let session = Self.session(server, nil)
            defer { session.signOut() }
            let feed = MessageListModel(session: session, conversationID: conversationID)
            try await eventually("sync") { feed.isSynced && session.me != nil }

            // An earlier process sent it under this key, its JSON laid out differently.
            var entry = session.newOutboxEntry(conversationID: conversationID,
                                               request: MessageCreateRequest(body: "hello"), attachments: [])
            let earlier = TransportRequest(
                method: .post, url: server.url.appendingPathComponent("v1/conversations/\(conversationID)/messages"),
                headers: ["Authorization": "Bearer \(try await server.token(for: "alice"))",
                          "Content-Type": "application/json", "Idempotency-Key": entry.idempotencyKey],
                body: Data(#"{ "id": "\#(entry.id)", "body": "hello" }"#.utf8))
            #expect(try await URLSessionTransport().send(earlier).statusCode == 201)
            entry.request.body = "hello"

            try session.outbox.enqueue(entry)
            try await eventually("the outbox to drain") { session.outbox.entries.isEmpty }
            #expect(try await serverFeed(bob, conversationID).map(\.id) == [entry.id])
            #expect(feed.messages.map(\.id) == [entry.id])
        }
    }

    @Test func aConversationOf100000MessagesStaysBoundedInMemoryAndOnDisk() async throws {
        try await ServerFixture.run({ $0.logLevel = .critical }) { server in
            let temporary = TemporaryStorePath()
            defer { temporary.remove() }
            let (bob, conversationID) = try await Self.group(server)
            defer { bob.destroy() }
            let seed = try await bob.conversations.one(conversationID).messages.send(.init(body: "seed"))
            await server.stop(closing: true)
            try await Self.bulkInsert(into: server.databasePath, copying: seed.id, conversationID: conversationID,
                                      count: 100_000)
            try await server.restart()

            let windowSize = 300, stored = 30
            let session = Self.session(server, try PoolseStore(path: temporary.path, messagesPerConversation: stored),
                                       windowSize: windowSize)
            defer { session.signOut() }
            let feed = MessageListModel(session: session, conversationID: conversationID)
            try await eventually("sync") { feed.isSynced }
            #expect(feed.messages.last?.message.sequence == 100_001)
            #expect(feed.hasOlder)
            for _ in 0..<10 { try await feed.loadOlder() }
            #expect(feed.messages.count == windowSize, "paging back keeps a window")
            #expect(feed.hasNewer)
            let sequences = feed.messages.map(\.message.sequence)
            #expect(sequences == Array((sequences.first ?? 0)...(sequences.last ?? 0)), "no hole in the window")
            while feed.hasNewer { try await feed.loadNewer() }
            #expect(feed.messages.last?.message.sequence == 100_001)
            #expect(feed.messages.count == windowSize)

            // Live messages push the oldest out; the store keeps the newest N.
            for index in 0..<20 { _ = try feed.send("live \(index)") }
            try await eventually("sent", timeout: .seconds(60)) { session.outbox.entries.isEmpty }
            try await eventually("the window") { feed.messages.last?.message.sequence == 100_021 }
            #expect(feed.messages.count <= windowSize)
            #expect(try session.store?.messageCount(of: conversationID) == stored)
        }
    }

    /// `swift build --build-tests` puts the probe next to the test bundle.
    static var probeExecutable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("poolse-state-probe")
    }

    /// Writes `count` copies of one message into the stopped server's database, as if they
    /// had been sent one by one (100,000 POSTs would take minutes on a shared machine). Written
    /// through the server's own storage: its SQLite is the bundled one, newer than the system's
    /// that GRDB links, and the full-text index's triggers need it.
    static func bulkInsert(into path: String, copying id: String, conversationID: String, count: Int) async throws {
        let storage = try await SQLiteStorage.open(path: path, logger: Logger(label: "bulk-insert"))
        let store = Store(storage: storage)
        try await store.transaction { q in
            for sequence in 2...(count + 1) {
                try await q.db.raw("""
                    INSERT INTO messages (id, tenant_id, conversation_id, sender_id, type, body, reply_count, mentions,
                                          sequence, inserted_at, updated_at)
                    SELECT \(bind: UUID().uuidString.lowercased()), tenant_id, conversation_id, sender_id, type,
                           \(bind: "bulk \(sequence)"), 0, '[]', \(bind: sequence), inserted_at, updated_at
                    FROM messages WHERE id = \(bind: id)
                    """).run()
            }
            try await q.db.raw("UPDATE conversations SET last_sequence = \(bind: count + 1) WHERE id = \(bind: conversationID)").run()
        }
        await store.close()
    }
}
