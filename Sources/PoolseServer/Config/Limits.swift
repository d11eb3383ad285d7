/// Every size, count and length the server enforces, in one place with its default.
/// Each is reported to the caller with a clear error when exceeded.
public struct Limits: Sendable {
    /// Largest request body in bytes (413 `payload_too_large`). Default 1 MiB.
    public var maxBodyBytes = 1 << 20
    /// Longest message body in characters. Default 8,000.
    public var maxMessageLength = 8_000
    /// Most attachments on one message. Default 10.
    public var maxAttachmentsPerMessage = 10
    /// Largest attachment in bytes (413 `attachment_too_large`). Default 25 MiB.
    public var maxAttachmentBytes: Int64 = 25 << 20
    /// Longest attachment content type and file name in characters. Default 255.
    public var maxAttachmentFieldLength = 255
    /// Most mentions on one message. Default 50.
    public var maxMentions = 50
    /// Most members of any conversation, whatever its `member_limit`. Default 10,000.
    public var maxMembersPerConversation = 10_000
    /// Most external ids in one create or add-members request. Default 100.
    public var maxExternalIdsPerRequest = 100
    /// Most users one end-user token may provision lazily. Default 1,000.
    public var maxProvisionedPerToken = 1_000
    /// Longest external id in characters. Default 255.
    public var maxExternalIdLength = 255
    /// Longest display or conversation name in characters. Default 200.
    public var maxNameLength = 200
    /// Largest `custom_data` or `settings` object, encoded, in bytes. Default 16 KiB.
    public var maxCustomDataBytes = 16 * 1024
    /// Longest emoji string in bytes. Default 64.
    public var maxEmojiBytes = 64
    /// Most distinct emoji on one message. Default 50.
    public var maxDistinctEmojis = 50
    /// Longest `Idempotency-Key` in characters. Default 255.
    public var maxIdempotencyKeyLength = 255
    /// Default and maximum end-user token lifetime in seconds. Defaults 3,600 and 86,400.
    public var defaultTokenTTL = 3_600
    public var maxTokenTTL = 86_400
    /// Page sizes: main feed and catch-up default 50, max 200; replies default and max 500.
    public var defaultPageSize = 50
    public var maxPageSize = 200
    public var defaultRepliesPageSize = 500
    public var maxRepliesPageSize = 500
    /// Most pinned messages in one conversation (422 `pin_limit_reached`). Default 50.
    public var maxPinsPerConversation = 50
    /// Longest search query in characters. Default 256.
    public var maxSearchQueryLength = 256
    /// Most words and phrases in one search query. Default 16.
    public var maxSearchTerms = 16
    /// Search page size: default 20, max 100.
    public var defaultSearchPageSize = 20
    public var maxSearchPageSize = 100
    /// How deep search results can be paged (hits skipped by a cursor). Default 1,000: a
    /// deeper page would rank every match again for little use.
    public var maxSearchDepth = 1_000
    /// How many of the newest matches a search ranks. Default 1,000: a query that matches more
    /// (a common word matches several percent of all messages) is ranked among its newest
    /// 1,000 matches. Each candidate costs a few random page reads (its row, its length for
    /// `bm25`), so this bound is what keeps a search over a million messages within tens of ms.
    public var maxSearchCandidates = 1_000

    /// The defaults.
    public init() {}
}
