/// The call was not well-formed, so the SDK sent nothing: for example both `before`
/// and `after` on one messages list, or a path that does not make a URL.
public struct InvalidRequestError: PoolseError, Hashable {
    /// What was wrong.
    public var message: String

    /// Creates the error.
    public init(message: String) { self.message = message }
}
