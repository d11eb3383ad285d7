/// The body of every non-2xx response (PROTOCOL.md §2).
public struct ErrorEnvelope: Codable, Hashable, Sendable {
    /// The error.
    public var error: ErrorBody

    /// Creates an envelope.
    public init(error: ErrorBody) { self.error = error }
}

/// What went wrong: a stable code, a human message, a link and optional details.
public struct ErrorBody: Codable, Hashable, Sendable {
    /// Stable machine-readable code such as `validation_failed`.
    public var code: String
    /// A sentence for people.
    public var message: String
    /// Where the code is documented.
    public var docURL: String?
    /// Per-field problems (for `validation_failed`) or other structured context.
    public var details: JSONValue?

    /// Creates an error body.
    public init(code: String, message: String, docURL: String? = nil, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.docURL = docURL
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case code, message, docURL = "doc_url", details }
}
