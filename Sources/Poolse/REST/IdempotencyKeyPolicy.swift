/// Which `Idempotency-Key` a ``RESTClient`` request carries (PROTOCOL.md §4.2).
/// Whatever the choice, every retry of one call reuses the same key, so the server
/// can replay the first success instead of repeating it.
public enum IdempotencyKeyPolicy: Sendable, Hashable {
    /// A fresh key from ``PoolseConfiguration/generateIdempotencyKey`` for every method
    /// but GET and HEAD, none for those. The default.
    case automatic
    /// This key, for a deliberate retry of an earlier call.
    case key(String)
    /// No header at all.
    case omitted

    func resolve(for method: RequestMethod, generate: () -> String) -> String? {
        switch self {
        case .automatic: method == .get || method.rawValue == "HEAD" ? nil : generate()
        case .key(let key): key
        case .omitted: nil
        }
    }
}
