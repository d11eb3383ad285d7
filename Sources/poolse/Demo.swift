import ArgumentParser
import Foundation
import Poolse
import PoolseServer

/// `poolse demo`: two SDK clients chatting through a real server, printed as a transcript.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch two users chat in real time through the Swift SDK.",
        discussion: """
            Without --api-url a server is started in this process on the embedded default (SQLite in a \
            temporary directory, removed afterwards, on a free loopback port). Two users, ann and ben, \
            each get a JWT and their own Poolse client; the transcript shows what each one does and what \
            each one's SDK delivers: presence, typing, messages, a reaction and a read receipt.
            """)

    @Option(name: .customLong("api-url"), help: "Use a running server instead of starting one (needs --api-key).")
    var apiURL: String?

    @Option(name: .customLong("api-key"), help: "A tenant API key of that server (pk_live_…).")
    var apiKey: String?

    @Option(help: "Milliseconds between the steps, so a person can follow (default 400; 0 runs flat out).")
    var pace: Int = 400

    func validate() throws {
        if (apiURL == nil) != (apiKey == nil) { throw ValidationError("--api-url and --api-key go together") }
        if let apiURL, URL(string: apiURL)?.host == nil { throw ValidationError("--api-url must be a URL such as http://127.0.0.1:4000") }
        if pace < 0 { throw ValidationError("--pace must not be negative") }
    }

    func run() async throws {
        let transcript = DemoTranscript()
        print("poolse demo: two SDK clients chatting through a poolse server in real time")
        if let apiURL, let apiKey, let url = URL(string: apiURL) {
            print("server  \(url.absoluteString)")
            print("")
            try await DemoScript(apiURL: url, apiKey: apiKey, pace: .milliseconds(pace), transcript: transcript).run()
            return
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-demo-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.logLevel = .critical  // the transcript is the output
        let app = try await PoolseApp.open(configuration)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let server = Task { try await app.application(onListening: { portSink.yield($0) }).run() }
        func shutDown() async {
            server.cancel()
            _ = try? await server.value
            await app.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
        do {
            let (_, key) = try await app.admin.createTenant(name: "demo")
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), let url = URL(string: "http://127.0.0.1:\(port)") else {
                throw DemoError("the in-process server did not start")
            }
            print("server  \(url.absoluteString) (in this process, SQLite in \(directory), removed at the end)")
            print("")
            try await DemoScript(apiURL: url, apiKey: key, pace: .milliseconds(pace), transcript: transcript).run()
        } catch {
            await shutDown()
            throw error
        }
        await shutDown()
    }
}

/// The conversation itself, through the SDK only: the "backend" uses the API key to create
/// users and mint their tokens (as your server would), and each user has an ordinary
/// `Poolse` client with a JWT.
struct DemoScript {
    let apiURL: URL
    let apiKey: String
    let pace: Duration
    let transcript: DemoTranscript

    func run() async throws {
        let backend = Poolse(PoolseConfiguration(apiURL: apiURL) { [apiKey] in apiKey })
        let ann = try await DemoUser.create("ann", name: "Ann", backend: backend, apiURL: apiURL)
        let ben = try await DemoUser.create("ben", name: "Ben", backend: backend, apiURL: apiURL)
        await transcript.learn([ann.id: ann.externalId, ben.id: ben.externalId])
        await transcript.say("setup", "users ann and ben created; each has a JWT from the backend and a Poolse client")

        let group = try await ann.chat.conversations.create(
            .init(type: .group, name: "Saturday", memberExternalIds: [ben.externalId]))
        await transcript.say("ann", "creates the group “\(group.name ?? "")” with ben (REST)")
        await step()

        await transcript.say("ann", "opens it live: chat.realtime.conversation(id)")
        let annLive = await DemoWatcher.watch(group.id, as: ann, transcript: transcript)
        try await annLive.channel.waitUntilJoined()
        try await annLive.until("ann to see herself online") { $0.presenceIncludes(ann.id) }
        await step()

        await transcript.say("ben", "opens it live")
        let benLive = await DemoWatcher.watch(group.id, as: ben, transcript: transcript)
        try await benLive.channel.waitUntilJoined()
        try await annLive.until("ann to see ben come online") { $0.sawJoin(of: ben.id) }
        await step()

        await transcript.say("ann", "is typing… (sendTyping)")
        annLive.channel.sendTyping()
        try await benLive.until("ben to see ann typing") { $0.sawTyping(by: ann.id) }
        await step()

        let hello = try await ann.send("Hi Ben! Are we still on for Saturday?", in: group.id, transcript: transcript)
        try await benLive.until("ben to get ann's message") { $0.sawMessage(hello.id) }
        await step()

        await transcript.say("ben", "is typing…")
        benLive.channel.sendTyping()
        try await annLive.until("ann to see ben typing") { $0.sawTyping(by: ben.id) }
        await step()

        let reply = try await ben.send("Yes! I'll bring the coffee ☕", in: group.id, transcript: transcript)
        try await annLive.until("ann to get ben's reply") { $0.sawMessage(reply.id) }
        await step()

        await transcript.say("ben", "reacts 👍 to #\(hello.sequence)")
        _ = try await ben.chat.messages.one(hello.id).addReaction("👍")
        try await annLive.until("ann to see the reaction") { $0.sawReaction(on: hello.id) }
        await step()

        await transcript.say("ann", "marks #\(reply.sequence) as read")
        try await ann.chat.conversations.one(group.id).messages.markRead(reply.id)
        try await benLive.until("ben to see the read receipt") { $0.sawRead(by: ann.id, of: reply.id) }
        await step()

        await transcript.say("ben", "closes the app: chat.destroy()")
        ben.chat.destroy()
        try await annLive.until("ann to see ben go offline") { $0.sawLeave(of: ben.id) }
        await step()

        ann.chat.destroy()
        await annLive.finish()
        await benLive.finish()
        let count = await transcript.deliveredCount
        await transcript.say("done", "\(count) realtime events delivered through the SDK")
    }

    private func step() async {
        if pace > .zero { try? await Task.sleep(for: pace) }
    }
}

/// A demo user: their poolse id and their own SDK client.
struct DemoUser {
    let id: String
    let externalId: String
    let chat: Poolse

    /// Creates the user with the tenant's API key and gives them a client whose
    /// `getToken` asks the "backend" for a JWT, as an app would ask its own server.
    static func create(_ externalId: String, name: String, backend: Poolse, apiURL: URL) async throws -> DemoUser {
        let user: User = try await backend.rest.request(
            .post, "/v1/users", body: UserCreateRequest(externalId: externalId, displayName: name))
        let userPath = "/v1/users/" + user.id + "/tokens"
        let chat = Poolse(PoolseConfiguration(apiURL: apiURL) {
            let minted: TokenResponse = try await backend.rest.request(.post, userPath, body: TokenRequest(ttlSeconds: 3600))
            return minted.token
        })
        return DemoUser(id: user.id, externalId: externalId, chat: chat)
    }

    func send(_ body: String, in conversationID: String, transcript: DemoTranscript) async throws -> Message {
        await transcript.say(externalId, "→ “\(body)”")
        let message = try await chat.conversations.one(conversationID).messages.send(.init(body: body))
        await transcript.remember(message)
        return message
    }
}

/// One user's view: consumes their channel's event stream and socket status, prints each
/// event as that user's SDK delivers it, and lets the script wait for a given one.
final class DemoWatcher: Sendable {
    let channel: ConversationChannel
    private let seen: DemoSeen
    private let tasks: [Task<Void, Never>]

    private init(channel: ConversationChannel, seen: DemoSeen, tasks: [Task<Void, Never>]) {
        self.channel = channel
        self.seen = seen
        self.tasks = tasks
    }

    static func watch(_ conversationID: String, as user: DemoUser, transcript: DemoTranscript) async -> DemoWatcher {
        let seen = DemoSeen()
        let statuses = user.chat.realtime.statusStream()
        // Subscribing before the join is answered, so the presence snapshot is not missed.
        let channel = user.chat.realtime.conversation(conversationID)
        let events = channel.events()
        let name = user.externalId
        let eventTask = Task {
            for await event in events {
                await seen.record(event)
                if let line = await transcript.describe(event, seenBy: user.id) {
                    await transcript.say(name, "⇠ " + line, delivered: true)
                }
            }
        }
        let statusTask = Task {
            for await status in statuses where status != .idle {
                await transcript.say(name, "socket \(status)")
            }
        }
        return DemoWatcher(channel: channel, seen: seen, tasks: [eventTask, statusTask])
    }

    /// Waits (at most 10 s) until what this user saw satisfies `condition`.
    func until(_ what: String, _ condition: @escaping @Sendable (DemoSeen.Snapshot) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await condition(seen.snapshot) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw DemoError("timed out waiting for \(what): is the server's realtime gateway running?")
    }

    func finish() async {
        for task in tasks {
            task.cancel()
            await task.value
        }
    }
}

/// What one user's SDK has delivered so far.
actor DemoSeen {
    struct Snapshot: Sendable {
        var events: [ConversationEvent]
        var presence: PresenceState

        func presenceIncludes(_ userID: String) -> Bool { presence[userID] != nil }

        func sawJoin(of userID: String) -> Bool {
            events.contains { if case .presenceDiff(let diff) = $0 { diff.joins[userID] != nil } else { false } }
        }

        func sawLeave(of userID: String) -> Bool {
            events.contains { if case .presenceDiff(let diff) = $0 { diff.leaves[userID] != nil } else { false } }
        }

        func sawTyping(by userID: String) -> Bool {
            events.contains { if case .typingStart(let typing) = $0 { typing.userId == userID } else { false } }
        }

        func sawMessage(_ id: String) -> Bool {
            events.contains { if case .message(let message) = $0 { message.id == id } else { false } }
        }

        func sawReaction(on messageID: String) -> Bool {
            events.contains { if case .reactionAdded(let reaction) = $0 { reaction.messageId == messageID } else { false } }
        }

        func sawRead(by userID: String, of messageID: String) -> Bool {
            events.contains { event in
                if case .memberRead(let read) = event { read.userId == userID && read.lastReadMessageId == messageID }
                else { false }
            }
        }
    }

    private var events: [ConversationEvent] = []
    private var presence: PresenceState = [:]

    func record(_ event: ConversationEvent) {
        events.append(event)
        switch event {
        case .presenceState(let state): presence = state
        case .presenceDiff(let diff): presence = presence.applying(diff)
        default: break
        }
    }

    var snapshot: Snapshot { Snapshot(events: events, presence: presence) }
}

/// Prints the lines with the time since the start, and turns ids into names and sequence numbers.
actor DemoTranscript {
    private let start = ContinuousClock.now
    private var names: [String: String] = [:]
    private var sequences: [String: Int64] = [:]
    private(set) var deliveredCount = 0

    func learn(_ names: [String: String]) { self.names.merge(names) { $1 } }

    func remember(_ message: Message) { sequences[message.id] = message.sequence }

    func say(_ who: String, _ text: String, delivered: Bool = false) {
        if delivered { deliveredCount += 1 }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let time = String(format: "%6.2fs", seconds)
        let padded = who.padding(toLength: 6, withPad: " ", startingAt: 0)
        print("\(time)  \(padded) \(text)")
    }

    /// How `viewer` would describe an event; nil for echoes of their own doings.
    func describe(_ event: ConversationEvent, seenBy viewer: String) -> String? {
        switch event {
        case .message(let message):
            remember(message)
            guard message.senderId != viewer else { return nil }
            return "#\(message.sequence) \(message.senderExternalId): “\(message.body ?? "")”"
        case .messageUpdated(let message):
            remember(message)
            let reactions = message.reactions.map { "\($0.key)×\($0.value.count)" }.sorted().joined(separator: " ")
            return "#\(message.sequence) updated" + (reactions.isEmpty ? "" : " (reactions \(reactions))")
        case .messageDeleted(let deleted):
            return "\(label(deleted.id)) deleted"
        case .reactionAdded(let reaction):
            guard reaction.userId != viewer else { return nil }
            return "\(name(reaction.userId)) reacted \(reaction.emoji) to \(label(reaction.messageId))"
        case .reactionRemoved(let reaction):
            guard reaction.userId != viewer else { return nil }
            return "\(name(reaction.userId)) took back \(reaction.emoji) on \(label(reaction.messageId))"
        case .messagePinned(let pin):
            return "\(pin.pinnedBy.map(name) ?? "someone") pinned \(label(pin.messageId))"
        case .messageUnpinned(let pin):
            return "\(pin.unpinnedBy.map(name) ?? "someone") unpinned \(label(pin.messageId))"
        case .memberRead(let read):
            guard read.userId != viewer else { return nil }
            return "\(name(read.userId)) read up to \(read.lastReadMessageId.map(label) ?? "nothing")"
        case .typingStart(let typing):
            return "\(typing.externalId ?? name(typing.userId)) is typing…"
        case .typingStop(let typing):
            return "\(typing.externalId ?? name(typing.userId)) stopped typing"
        case .presenceState(let state):
            return "presence: " + online(state) + " online"
        case .presenceDiff(let diff):
            // Your own arrival is already in the snapshot you got on joining.
            let joins = diff.joins.filter { $0.key != viewer }
            let leaves = diff.leaves.filter { $0.key != viewer }
            var parts: [String] = []
            if !joins.isEmpty { parts.append(online(joins) + " came online") }
            if !leaves.isEmpty { parts.append(online(leaves) + " went offline") }
            return parts.isEmpty ? nil : "presence: " + parts.joined(separator: ", ")
        }
    }

    private func name(_ userID: String) -> String { names[userID] ?? userID }

    private func label(_ messageID: String) -> String { sequences[messageID].map { "#\($0)" } ?? messageID }

    private func online(_ state: PresenceState) -> String {
        state.map { entry in entry.value.metas.first?.externalId ?? name(entry.key) }.sorted().joined(separator: ", ")
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
