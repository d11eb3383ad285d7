import SQLKit

/// Versioned schema changes, applied in order at start-up. Append new versions; never
/// edit one that has shipped. The SQL is the subset SQLite and PostgreSQL share:
/// ids are lowercase UUID text, times are microseconds since the epoch (BIGINT),
/// flags are 0/1 integers and JSON is text.
enum Migrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
        /// Statements for one engine only, run after `statements` (full-text search differs).
        var engineStatements: [SQLEngine: [String]] = [:]
    }

    /// The advisory-lock id migrations hold on PostgreSQL ("poolse" in ASCII).
    static let lockKey: Int64 = 0x706F_6F6C_7365

    static let all: [Migration] = [
        Migration(version: 1, name: "core schema", statements: [
            """
            CREATE TABLE tenants (
              id TEXT PRIMARY KEY, name TEXT NOT NULL, inserted_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_keys (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
              key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, label TEXT,
              inserted_at BIGINT NOT NULL, revoked_at BIGINT)
            """,
            """
            CREATE TABLE users (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
              external_id TEXT NOT NULL, display_name TEXT, custom_data TEXT,
              is_blocked INTEGER NOT NULL DEFAULT 0,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              UNIQUE (tenant_id, external_id))
            """,
            """
            CREATE TABLE conversations (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
              type TEXT NOT NULL, name TEXT, avatar_url TEXT, created_by_user_id TEXT,
              member_limit INTEGER, custom_data TEXT, settings TEXT, direct_key TEXT,
              last_message_at BIGINT, last_message_preview TEXT, last_sequence BIGINT NOT NULL DEFAULT 0,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              UNIQUE (tenant_id, direct_key))
            """,
            """
            CREATE TABLE memberships (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
              conversation_id TEXT NOT NULL REFERENCES conversations(id),
              user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL,
              last_read_message_id TEXT, last_read_sequence BIGINT NOT NULL DEFAULT 0, last_read_at BIGINT,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              UNIQUE (conversation_id, user_id))
            """,
            "CREATE INDEX memberships_by_user ON memberships (user_id)",
            """
            CREATE TABLE messages (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
              conversation_id TEXT NOT NULL REFERENCES conversations(id),
              sender_id TEXT NOT NULL REFERENCES users(id), type TEXT NOT NULL, body TEXT,
              reply_to_id TEXT, thread_root_id TEXT, reply_count INTEGER NOT NULL DEFAULT 0,
              quoted_message_id TEXT, mentions TEXT NOT NULL DEFAULT '[]',
              edited_at BIGINT, deleted_at BIGINT, sequence BIGINT NOT NULL,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              UNIQUE (conversation_id, sequence))
            """,
            "CREATE INDEX messages_by_thread ON messages (thread_root_id, sequence)",
            """
            CREATE TABLE reactions (
              message_id TEXT NOT NULL REFERENCES messages(id), emoji TEXT NOT NULL,
              user_id TEXT NOT NULL, inserted_at BIGINT NOT NULL,
              PRIMARY KEY (message_id, emoji, user_id))
            """,
            """
            CREATE TABLE idempotency_keys (
              tenant_id TEXT NOT NULL, caller_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
              idem_key TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL,
              status INTEGER, content_type TEXT, response_body TEXT, created_at BIGINT NOT NULL,
              PRIMARY KEY (tenant_id, caller_id, method, path, idem_key))
            """,
            "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)",
        ]),
        // `uploaded_at` is set once the bytes are confirmed (the local store while they stream
        // in, S3 when a message links them); `status` turns `ready` when a message links them.
        // Rows with `deleted_at`, or whose message is a tombstone, wait for the cleanup to
        // delete their bytes and then the row.
        Migration(version: 2, name: "attachments", statements: [
            """
            CREATE TABLE attachments (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
              sender_id TEXT NOT NULL REFERENCES users(id), message_id TEXT REFERENCES messages(id),
              ordinal INTEGER NOT NULL DEFAULT 0, content_type TEXT NOT NULL, byte_size BIGINT NOT NULL,
              sha256 TEXT, original_filename TEXT, status TEXT NOT NULL, storage_key TEXT NOT NULL,
              uploaded_at BIGINT, deleted_at BIGINT, inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX attachments_by_message ON attachments (message_id, ordinal)",
            "CREATE INDEX attachments_unlinked_by_age ON attachments (status, inserted_at)",
            "CREATE INDEX attachments_deleted ON attachments (deleted_at)",
        ]),
        // Realtime events too large for a PostgreSQL NOTIFY payload travel by id (PostgresPubSub).
        Migration(version: 3, name: "realtime payloads", statements: [
            "CREATE TABLE realtime_payloads (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE INDEX realtime_payloads_by_age ON realtime_payloads (created_at)",
        ]),
        // The events of each committed change, written in its transaction and deleted once
        // published (`EventRelay`); rows left behind by a crash are published by a sweep.
        Migration(version: 4, name: "outbox events", statements: [
            "CREATE TABLE outbox_events (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE INDEX outbox_events_by_age ON outbox_events (created_at)",
        ]),
        // Generated server secrets (token signing keys, the local blob store's URL key), shared
        // by every node of one database (`SharedSecrets`); `sealed` values are AES-GCM boxes.
        Migration(version: 5, name: "server secrets", statements: [
            """
            CREATE TABLE server_secrets (
              name TEXT PRIMARY KEY, value TEXT NOT NULL, sealed INTEGER NOT NULL DEFAULT 0,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
        ]),
        // Safety and moderation: blocks between users, mutes, bans from a conversation,
        // frozen conversations, and reports that keep the reported message's body.
        Migration(version: 6, name: "safety", statements: [
            """
            CREATE TABLE user_blocks (
              tenant_id TEXT NOT NULL, blocker_id TEXT NOT NULL REFERENCES users(id),
              blocked_id TEXT NOT NULL REFERENCES users(id), created_at BIGINT NOT NULL,
              PRIMARY KEY (blocker_id, blocked_id))
            """,
            "CREATE INDEX user_blocks_by_blocked ON user_blocks (blocked_id)",
            "ALTER TABLE memberships ADD COLUMN muted_until BIGINT",
            "ALTER TABLE conversations ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE conversation_bans (
              conversation_id TEXT NOT NULL REFERENCES conversations(id), user_id TEXT NOT NULL REFERENCES users(id),
              tenant_id TEXT NOT NULL, banned_by TEXT, reason TEXT, until BIGINT, inserted_at BIGINT NOT NULL,
              PRIMARY KEY (conversation_id, user_id))
            """,
            """
            CREATE TABLE reports (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), reporter_id TEXT NOT NULL,
              message_id TEXT, user_id TEXT, conversation_id TEXT, reason TEXT NOT NULL, note TEXT, message_body TEXT,
              status TEXT NOT NULL, resolution_note TEXT, resolved_at BIGINT,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX reports_by_status ON reports (tenant_id, status, inserted_at, id)",
            "CREATE INDEX messages_by_sender ON messages (sender_id, inserted_at)",
        ]),
        // Pins, and the full-text index of message bodies (FTS5 on SQLite, tsvector on PostgreSQL).
        Migration(version: 7, name: "pins and search", statements: MessageSearchSchema.pinStatements,
                  engineStatements: MessageSearchSchema.searchStatements),
        // The durable outbound queue (webhook deliveries, push fan-out and pushes, bulk deletions),
        // webhook endpoints, push devices and the tenant's push preview setting.
        Migration(version: 8, name: "outbound queue", statements: OutboundSchema.statements),
        // Per-tenant push provider credentials (APNs, FCM) and the before-send hook. `settings`
        // is what may be shown (ids, names); `secret` is the key, sealed (`SecretSealer`) when
        // the server has --secrets-key.
        Migration(version: 9, name: "push providers and before-send hook", statements: [
            """
            CREATE TABLE push_providers (
              tenant_id TEXT NOT NULL REFERENCES tenants(id), provider TEXT NOT NULL, settings TEXT NOT NULL,
              secret TEXT NOT NULL, sealed INTEGER NOT NULL DEFAULT 0,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              PRIMARY KEY (tenant_id, provider))
            """,
            """
            CREATE TABLE before_send_hooks (
              tenant_id TEXT PRIMARY KEY REFERENCES tenants(id), url TEXT NOT NULL, timeout_ms INTEGER NOT NULL,
              fail_open INTEGER NOT NULL, secret TEXT NOT NULL, sealed INTEGER NOT NULL DEFAULT 0,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
        ]),
        // Calls: their state (ringing → active → ended), shared by every node, and what each
        // callee did. `ring_expires_at` lets any node end a call nobody answered.
        Migration(version: 10, name: "calls", statements: [
            """
            CREATE TABLE calls (
              id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, conversation_id TEXT NOT NULL REFERENCES conversations(id),
              caller_user_id TEXT NOT NULL REFERENCES users(id), media TEXT NOT NULL, state TEXT NOT NULL,
              end_reason TEXT, ring_expires_at BIGINT NOT NULL, answered_at BIGINT, ended_at BIGINT,
              inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX calls_by_state ON calls (state, ring_expires_at)",
            """
            CREATE TABLE call_participants (
              call_id TEXT NOT NULL REFERENCES calls(id), user_id TEXT NOT NULL REFERENCES users(id),
              status TEXT NOT NULL, updated_at BIGINT NOT NULL,
              PRIMARY KEY (call_id, user_id))
            """,
        ]),
        // SQLite: the search index rebuilt with prefix indexes.
        Migration(version: 11, name: "search prefix index", statements: [],
                  engineStatements: [.sqlite: MessageSearchSchema.sqlitePrefixIndex]),
    ]

    /// Applies every migration that the database has not seen yet, each in its own transaction.
    /// On PostgreSQL an advisory lock makes nodes that start together take turns.
    /// `upTo`: the last version to apply (tests start from an older schema to check an upgrade).
    static func migrate(_ storage: any SQLStorage, upTo last: Int = .max) async throws {
        try await storage.transaction { db in
            if storage.engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(bind: lockKey))").run() }
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for migration in all where migration.version <= last {
            try await storage.transaction { db in
                if storage.engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(bind: lockKey))").run() }
                let applied = try await db.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard applied == nil else { return }
                for statement in migration.statements + migration.engineStatements[storage.engine, default: []] {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: WallClock.nowMicros()))
                    """).run()
            }
        }
    }
}
