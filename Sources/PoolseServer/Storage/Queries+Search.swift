import PoolseWire
import SQLKit

/// What a message search asks the index for; the query parts are already parsed
/// (`SearchQuery`).
struct MessageSearchCriteria: Sendable {
    var query: SearchQuery
    var tenantId: String
    var callerId: String
    var conversationId: String?
    var senderId: String?
    /// Only messages inserted strictly before this time (microseconds).
    var before: Int64?
    var limit: Int
    var offset: Int
    /// How many of the newest matches are ranked (`Limits.maxSearchCandidates`).
    var candidates: Int
}

extension Queries {
    /// The ids of the matching messages, best match first, then newest, among the newest
    /// `candidates` matches: only live messages (no tombstones) of conversations the caller is a
    /// member of, in the caller's tenant.
    ///
    /// The index picks the candidates (FTS5 `MATCH` on SQLite, `@@` on the GIN-indexed
    /// `search_vector` on PostgreSQL); the membership test is an `EXISTS` on the
    /// `(conversation_id, user_id)` unique index, so a caller's search never costs more than
    /// its matches. Full rows are read afterwards for the one page (`messages(ids:)`).
    func searchMessageIds(_ criteria: MessageSearchCriteria) async throws -> [String] {
        var filters: SQLQueryString = """
             AND msg.tenant_id = \(bind: criteria.tenantId) AND msg.deleted_at IS NULL
             AND EXISTS (SELECT 1 FROM memberships mb
                         WHERE mb.conversation_id = msg.conversation_id AND mb.user_id = \(bind: criteria.callerId))
            """
        if let conversationId = criteria.conversationId { filters += " AND msg.conversation_id = \(bind: conversationId)" }
        if let senderId = criteria.senderId { filters += " AND msg.sender_id = \(bind: senderId)" }
        if let before = criteria.before { filters += " AND msg.inserted_at < \(bind: before)" }
        // BLOCK FILTER: senders the caller blocked are left out (see `blockedSendersFilter`).
        filters += blockedSendersFilter(callerId: criteria.callerId)

        // The newest `candidates` matches are ranked, not every match: a common word matches a
        // tenth of all messages, and ranking 100,000 rows takes far longer than a search may.
        // The index walks its matches newest first (rowid order on SQLite) and stops there;
        // `CROSS JOIN` keeps the index the outer loop even when a filter has an index of its own.
        switch engine {
        case .sqlite:
            return try await sqliteSearch(criteria, filters: filters)
        case .postgres:
            let rows = try await db.raw("""
                SELECT id FROM (
                  SELECT msg.id, msg.inserted_at, ts_rank(msg.search_vector, sq.query) AS score
                  FROM messages msg, (SELECT \(postgresTSQuery(criteria.query)) AS query) sq
                  WHERE msg.search_vector @@ sq.query \(filters)
                  ORDER BY msg.inserted_at DESC LIMIT \(bind: criteria.candidates)
                ) AS hits
                ORDER BY score DESC, inserted_at DESC, id
                LIMIT \(bind: criteria.limit) OFFSET \(bind: criteria.offset)
                """).all()
            return try rows.map { try $0.string("id") }
        }
    }

    /// SQLite: the index picks the newest `candidates` matches (no ranking inside the query: FTS5's
    /// `bm25()` would walk every match of a common word), `SearchRanking` orders them.
    private func sqliteSearch(_ criteria: MessageSearchCriteria, filters: SQLQueryString) async throws -> [String] {
        let rows = try await db.raw("""
            SELECT msg.id, msg.inserted_at, msg.body
            FROM message_search s CROSS JOIN messages msg ON msg.rowid = s.rowid
            WHERE message_search MATCH \(bind: criteria.query.fts5Expression) \(filters)
            ORDER BY s.rowid DESC LIMIT \(bind: criteria.candidates)
            """).all()
        let candidates = try rows.map { row in
            SearchRanking.Candidate(id: try row.string("id"), insertedAt: try row.int64("inserted_at"),
                                    body: try row.optionalString("body") ?? "")
        }
        // With one part every candidate holds it: its weight cannot change the order.
        let frequencies = criteria.query.parts.count > 1 && candidates.count > criteria.offset
            ? try await recentFrequencies(of: criteria.query.parts) : nil
        let ranked = SearchRanking.order(candidates, query: criteria.query, frequencies: frequencies)
        return ranked.dropFirst(criteria.offset).prefix(criteria.limit).map(\.id)
    }

    /// For each part, the share of the newest messages that hold it: the matches among the last
    /// `sample` hits of the part alone, over the rowids they span. Bounded work per part: the
    /// index streams a word (or a prefix of up to `MessageSearchSchema.prefixLengths` characters,
    /// which has a prefix index) newest first; a longer prefix is measured by its whole word,
    /// since FTS5 would merge the doclists of every word it starts.
    private func recentFrequencies(of parts: [SearchQuery.Part], sample: Int = 500) async throws -> [Double] {
        guard let top = try await db.raw("SELECT max(rowid) AS top FROM messages").first()?
            .optionalInt64("top"), top > 0 else { return parts.map { _ in 1 } }
        var frequencies: [Double] = []
        for part in parts {
            let longestIndexed = MessageSearchSchema.prefixLengths.max() ?? 0
            let indexedPrefix = part.prefix && (part.words.last?.count ?? 0) <= longestIndexed
            let phrase = "\"" + part.text + "\"" + (indexedPrefix ? " *" : "")
            let row = try await db.raw("""
                SELECT count(*) AS hits, min(rowid) AS low FROM (
                  SELECT rowid FROM message_search WHERE message_search MATCH \(bind: phrase)
                  ORDER BY rowid DESC LIMIT \(bind: sample))
                """).first()
            let hits = try row?.optionalInt64("hits") ?? 0
            let low = try row?.optionalInt64("low") ?? 1
            // Fewer hits than the sample: that is all of them, over the whole table.
            let span = hits < Int64(sample) ? top : max(1, top - low + 1)
            frequencies.append(Double(hits) / Double(span))
        }
        return frequencies
    }

    /// The clause that leaves out messages from users the caller blocks, as feeds do.
    func blockedSendersFilter(callerId: String) -> SQLQueryString {
        Self.hidingBlockedSenders(of: callerId)
    }

    /// Messages by id with reactions and attachments, in the order of `ids` (missing ones left out).
    func messages(ids: [String]) async throws -> [Message] {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.raw("\(unsafeRaw: Self.messageSelect) WHERE msg.id IN (\(binds: ids))").all()
        let found = try await withAttachments(withReactions(rows.map(Self.message)))
        let byId = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byId[$0] }
    }

    /// The query as a PostgreSQL `tsquery`: every part folded by `poolse_search_text` (the
    /// function the index uses), a phrase for each part, a prefix match on the last word when it
    /// is a single plain token, all parts combined with `&&`.
    private func postgresTSQuery(_ query: SearchQuery) -> SQLQueryString {
        var expression: SQLQueryString = ""
        for (index, part) in query.parts.enumerated() {
            if index > 0 { expression += " && " }
            if part.prefix, part.isPlainWord {
                expression += "to_tsquery('simple', quote_literal(poolse_search_text(\(bind: part.text))) || ':*')"
            } else {
                expression += "phraseto_tsquery('simple', poolse_search_text(\(bind: part.text)))"
            }
        }
        return expression
    }
}
