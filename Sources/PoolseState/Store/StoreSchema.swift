import GRDB

/// The tables of ``PoolseStore``. Rows keep the wire JSON of the SDK types next to the
/// few columns the store sorts or trims by, so a new field on the wire needs no migration.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                CREATE TABLE conversation (id TEXT PRIMARY KEY, activity DOUBLE NOT NULL, json BLOB NOT NULL);
                CREATE TABLE member (conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, json BLOB NOT NULL,
                                     PRIMARY KEY (conversation_id, user_id));
                CREATE TABLE message (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL,
                                      sequence INTEGER NOT NULL, json BLOB NOT NULL);
                CREATE INDEX message_by_sequence ON message (conversation_id, sequence);
                CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                                     conversation_id TEXT NOT NULL, json BLOB NOT NULL);
                """)
        }
        return migrator
    }

    static func wipe(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM meta; DELETE FROM conversation; DELETE FROM member; DELETE FROM message; DELETE FROM outbox;
            """)
    }
}
