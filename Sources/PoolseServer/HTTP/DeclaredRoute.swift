import HTTPTypes

/// A route as a caller sees it: method, path template and the error statuses it can answer
/// with. Every route the server serves has one (the JSON routes through their `RouteSpec`, the
/// blob and socket routes declare theirs), so the OpenAPI test can hold the document against
/// all of them and the router can answer a wrong method with 405 and `Allow`.
struct DeclaredRoute: Sendable, Hashable {
    let method: HTTPRequest.Method
    /// Hummingbird syntax: `/v1/users/:user_id`.
    let path: String
    let errorStatuses: Set<Int>

    /// The path in OpenAPI syntax: `/v1/users/{user_id}`.
    var openAPIPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    /// Whether a request path falls on this route's template (a `:name` segment matches any
    /// non-empty segment), whatever the method.
    func matches(path requestPath: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: false)
        let segments = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { pattern, segment in
            pattern.hasPrefix(":") ? !segment.isEmpty : pattern == segment
        }
    }
}
