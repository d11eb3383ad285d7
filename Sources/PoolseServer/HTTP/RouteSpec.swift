import HTTPTypes

/// One REST route: how it is reached, who may call it, which rate class it counts
/// against, and its handler. The route table is data, so the OpenAPI test can walk it.
struct RouteSpec: Sendable {
    let method: HTTPRequest.Method
    /// Hummingbird syntax: `/v1/users/:user_id`.
    let path: String
    let auth: RouteAuth
    let rateClass: RateClass
    let handler: @Sendable (APIRequest) async throws -> APIResponse

    /// The error statuses this route can answer with (what the OpenAPI document must list).
    var errorStatuses: Set<Int> {
        var statuses: Set<Int> = []
        if rateClass != .unlimited { statuses.insert(429) }
        if auth != .none { statuses.formUnion([401, 500]) }
        if auth == .userToken || auth == .userOrAPIKey { statuses.insert(403) }
        if path.contains(":") { statuses.formUnion([400, 404]) }
        if method != .get { statuses.formUnion([400, 409, 413, 422]) }
        return statuses
    }

    /// The route as callers see it.
    var declaration: DeclaredRoute { DeclaredRoute(method: method, path: path, errorStatuses: errorStatuses) }

    /// The path in OpenAPI syntax: `/v1/users/{user_id}`.
    var openAPIPath: String { declaration.openAPIPath }
}
