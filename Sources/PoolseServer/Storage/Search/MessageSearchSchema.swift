/// The schema of migration 7: pins as two columns of `messages`, and the full-text index of
/// message bodies, which each engine keeps in the transaction of the write that changes a body.
///
/// - SQLite: a contentless FTS5 table (`message_search`, rowid = the message's rowid) fed by
///   triggers on `messages`, so a send, an edit and a delete update it without the services
///   doing anything. Tokenizer `unicode61 remove_diacritics 2` (case and accents folded for
///   every script Unicode decomposes); the triggers index `poolse_search_text(body)`, a
///   function each connection registers (`SQLiteSearchFunction`) that spaces out CJK
///   characters (`SearchText`). Contentless: bodies are not stored twice.
/// - PostgreSQL: a generated `search_vector` column (`to_tsvector('simple', …)` of the same
///   spaced text, lower-cased and with Latin accents folded by `translate`, since `unaccent` is
///   an extension a deployment may not be allowed to create) and a GIN index.
enum MessageSearchSchema {
    /// Pins, shared by both engines. The partial index serves the pin list and the 50-pin count.
    static let pinStatements = [
        "ALTER TABLE messages ADD COLUMN pinned_at BIGINT",
        "ALTER TABLE messages ADD COLUMN pinned_by TEXT",
        "CREATE INDEX messages_pinned ON messages (conversation_id, pinned_at) WHERE pinned_at IS NOT NULL",
    ]

    /// Search, per engine.
    static let searchStatements: [SQLEngine: [String]] = [.sqlite: sqlite, .postgres: postgres]

    /// Whether a row is in the index: it has a body and is not a tombstone.
    private static func indexed(_ row: String) -> String { "\(row).body IS NOT NULL AND \(row).deleted_at IS NULL" }

    static let sqlite = [
        """
        CREATE VIRTUAL TABLE message_search USING fts5(
          body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')
        """,
        """
        CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN \(indexed("new")) BEGIN
          INSERT INTO message_search (rowid, body) VALUES (new.rowid, poolse_search_text(new.body));
        END
        """,
        """
        CREATE TRIGGER message_search_update AFTER UPDATE OF body, deleted_at ON messages BEGIN
          DELETE FROM message_search WHERE rowid = old.rowid;
          INSERT INTO message_search (rowid, body)
            SELECT new.rowid, poolse_search_text(new.body) WHERE \(indexed("new"));
        END
        """,
        """
        CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
          DELETE FROM message_search WHERE rowid = old.rowid;
        END
        """,
        """
        INSERT INTO message_search (rowid, body)
          SELECT rowid, poolse_search_text(body) FROM messages WHERE \(indexed("messages"))
        """,
    ]

    /// The prefix lengths (in characters) FTS5 keeps an index for since migration 11: typing
    /// `th` or `hel` reads one doclist instead of merging those of every word they start, and
    /// the words people use most are short (so a whole common word typed as the last word is
    /// covered too).
    static let prefixLengths = [2, 3, 4]

    /// Migration 11 on SQLite: the index rebuilt with prefix indexes, and FTS5's segment merges
    /// moved out of the writes (`automerge` 0: a send no longer pays for merging segments now and
    /// then, tens of milliseconds over a large index; `SQLiteMaintenanceService` merges in small
    /// steps between writes). `crisismerge` bounds the segments per level if that service is not
    /// running, as in a command that opens the database without serving.
    static let sqlitePrefixIndex = [
        "DROP TABLE message_search",
        """
        CREATE VIRTUAL TABLE message_search USING fts5(
          body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2',
          prefix='\(prefixLengths.map(String.init).joined(separator: " "))')
        """,
        "INSERT INTO message_search (message_search, rank) VALUES ('automerge', 0)",
        "INSERT INTO message_search (message_search, rank) VALUES ('crisismerge', 64)",
        """
        INSERT INTO message_search (rowid, body)
          SELECT rowid, poolse_search_text(body) FROM messages WHERE \(indexed("messages"))
        """,
    ]

    /// Latin letters with accents (lower case, Latin-1 and Latin Extended-A) and their bare forms.
    static let accented = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĵķĺļľŀłńņňōŏőŕŗřśŝşšţťŧũūŭůűųŵŷźżž"
    static let unaccented = "aaaaaaceeeeiiiinoooooouuuuyyaaaccccddeeeeegggghhiiiiijklllllnnnooorrrsssstttuuuuuuwyzzz"

    /// The CJK ranges of `SearchText` as a PostgreSQL bracket expression.
    static var postgresCJKClass: String {
        "[" + SearchText.cjkRanges.map { range in
            "\\u" + hex4(range.lowerBound) + "-\\u" + hex4(range.upperBound)
        }.joined() + "]"
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static let postgres = [
        """
        CREATE FUNCTION poolse_search_text(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN translate(lower(regexp_replace(body, '(\(postgresCJKClass))', ' \\1 ', 'g')),
                         '\(accented)', '\(unaccented)')
        """,
        """
        ALTER TABLE messages ADD COLUMN search_vector tsvector
          GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, poolse_search_text(coalesce(body, '')))) STORED
        """,
        "CREATE INDEX messages_search ON messages USING gin (search_vector)",
    ]
}
