import Foundation
import GRDB

/// The offline store of one signed-in user: conversations, their members, the last
/// ``messagesPerConversation`` messages of each conversation, and the outbox of sends not
/// yet confirmed by the server. One SQLite file (through GRDB); every write is one
/// transaction, so a killed process leaves the file as it was before or after a write,
/// never half-way.
///
/// ```swift
/// let store = try PoolseStore(path: appSupport.appendingPathComponent("chat-\(userID).sqlite").path)
/// let session = PoolseSession(client: chat, store: store)
/// ```
///
/// The store remembers whose it is: opened by a session of another user it is wiped
/// first. ``PoolseSession/signOut()`` wipes it. On Linux GRDB links the system SQLite
/// (`libsqlite3-dev`).
public final class PoolseStore: Sendable {
    /// The file.
    public let path: String
    /// How many of the newest messages per conversation are kept (default 200).
    public let messagesPerConversation: Int

    let database: DatabaseQueue

    /// Opens (or creates) the store at `path`.
    /// - Parameter messagesPerConversation: The newest messages kept per conversation; older
    ///   ones are deleted as new ones arrive. At least 1.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String, messagesPerConversation: Int = 200) throws {
        self.path = path
        self.messagesPerConversation = max(1, messagesPerConversation)
        var configuration = Configuration()
        // A second process (or a test's relaunched child) may hold the file briefly.
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(database)
    }

    // MARK: - Owner

    /// The user the cached data belongs to, if any.
    public func owner() throws -> Me? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'owner'")
                .map { try StoreCoding.decode(Me.self, from: $0) }
        }
    }

    /// Makes `user` the owner; data of another owner is wiped first.
    func claim(for user: Me) throws {
        try database.write { db in
            let current = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'owner'")
                .map { try StoreCoding.decode(Me.self, from: $0) }
            if let current, current.id != user.id { try StoreSchema.wipe(db) }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('owner', ?)",
                           arguments: [try StoreCoding.encode(user)])
        }
    }

    /// Deletes everything: conversations, members, messages, the outbox and the owner.
    public func wipe() throws {
        try database.write { db in try StoreSchema.wipe(db) }
    }

    // MARK: - Conversations

    /// The cached conversations, most recent activity first.
    public func conversations() throws -> [Conversation] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT json FROM conversation ORDER BY activity DESC, id")
                .map { try StoreCoding.decode(Conversation.self, from: $0) }
        }
    }

    /// One cached conversation.
    public func conversation(_ id: String) throws -> Conversation? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT json FROM conversation WHERE id = ?", arguments: [id])
                .map { try StoreCoding.decode(Conversation.self, from: $0) }
        }
    }

    func save(conversations: [Conversation], replacingAll: Bool) throws {
        try database.write { db in
            if replacingAll { try db.execute(sql: "DELETE FROM conversation") }
            for conversation in conversations {
                try db.execute(sql: "INSERT OR REPLACE INTO conversation (id, activity, json) VALUES (?, ?, ?)",
                               arguments: [conversation.id, Self.activity(of: conversation).timeIntervalSince1970,
                                           try StoreCoding.encode(conversation)])
            }
        }
    }

    // MARK: - Members

    /// The cached members of a conversation.
    public func members(of conversationID: String) throws -> [Membership] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT json FROM member WHERE conversation_id = ? ORDER BY user_id",
                              arguments: [conversationID])
                .map { try StoreCoding.decode(Membership.self, from: $0) }
        }
    }

    func save(members: [Membership], of conversationID: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM member WHERE conversation_id = ?", arguments: [conversationID])
            for member in members {
                try db.execute(sql: "INSERT INTO member (conversation_id, user_id, json) VALUES (?, ?, ?)",
                               arguments: [conversationID, member.userId, try StoreCoding.encode(member)])
            }
        }
    }

    // MARK: - Messages

    /// The cached main-feed messages of a conversation, oldest first (at most
    /// ``messagesPerConversation``).
    public func messages(of conversationID: String) throws -> [Message] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT json FROM message WHERE conversation_id = ? ORDER BY sequence",
                              arguments: [conversationID])
                .map { try StoreCoding.decode(Message.self, from: $0) }
        }
    }

    /// Stores main-feed messages and deletes those that fall out of the newest
    /// ``messagesPerConversation``. `replacingAll` first forgets the conversation's
    /// cached messages (the cache was too far behind to be caught up).
    func save(messages: [Message], of conversationID: String, replacingAll: Bool = false) throws {
        try database.write { db in
            if replacingAll {
                try db.execute(sql: "DELETE FROM message WHERE conversation_id = ?", arguments: [conversationID])
            }
            for message in messages where message.threadRootId == nil || message.threadRootId == message.id {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO message (id, conversation_id, sequence, json) VALUES (?, ?, ?, ?)",
                    arguments: [message.id, conversationID, message.sequence, try StoreCoding.encode(message)])
            }
            try db.execute(sql: """
                DELETE FROM message WHERE conversation_id = ?1 AND sequence <= (
                  SELECT sequence FROM message WHERE conversation_id = ?1 ORDER BY sequence DESC LIMIT 1 OFFSET ?2)
                """, arguments: [conversationID, messagesPerConversation])
        }
    }

    /// How many messages the store holds for a conversation.
    public func messageCount(of conversationID: String) throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE conversation_id = ?",
                             arguments: [conversationID]) ?? 0
        }
    }

    // MARK: - Outbox

    /// The sends waiting for the server, in the order they were made.
    func outbox() throws -> [OutboxEntry] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT json FROM outbox ORDER BY position")
                .map { try StoreCoding.decode(OutboxEntry.self, from: $0) }
        }
    }

    /// Adds a send at the end, or rewrites it in place (keeping its position).
    func save(outbox entry: OutboxEntry) throws {
        try database.write { db in
            let json = try StoreCoding.encode(entry)
            try db.execute(sql: "UPDATE outbox SET json = ? WHERE id = ?", arguments: [json, entry.id])
            if db.changesCount == 0 {
                try db.execute(sql: "INSERT INTO outbox (id, conversation_id, json) VALUES (?, ?, ?)",
                               arguments: [entry.id, entry.conversationID, json])
            }
        }
    }

    /// Removes a send from the outbox; with `delivered`, stores the server's copy in the
    /// same transaction, so a kill between the two cannot lose or repeat it.
    func removeFromOutbox(_ id: String, delivered: Message? = nil) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
            if let delivered, delivered.threadRootId == nil {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO message (id, conversation_id, sequence, json) VALUES (?, ?, ?, ?)",
                    arguments: [delivered.id, delivered.conversationId, delivered.sequence,
                                try StoreCoding.encode(delivered)])
            }
        }
    }

    static func activity(of conversation: Conversation) -> Date {
        conversation.lastMessageAt ?? conversation.insertedAt
    }
}

/// JSON in the store is the wire format, so a cached row decodes like a server answer.
enum StoreCoding {
    static func encode(_ value: some Encodable) throws -> Data { try WireCoding.encoder.encode(value) }
    static func decode<T: Decodable>(_ type: T.Type = T.self, from data: Data) throws -> T {
        try WireCoding.decoder.decode(type, from: data)
    }
}
