import HTTPTypes
import Hummingbird

/// A request whose path is served, but not with its method (TRACE, or PUT on a GET-only
/// route), gets 405 `method_not_allowed` with `Allow` listing the methods that are served,
/// instead of the router's 404: the resource exists, the method is what is wrong.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [DeclaredRoute]
    let docBaseURL: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let onPath = Self.routes(on: request.uri.path, among: routes)
        guard !onPath.isEmpty, !onPath.contains(where: { $0.method == request.method }) else {
            return try await next(request, context)
        }
        let allowed = Set(onPath.map(\.method.rawValue)).sorted().joined(separator: ", ")
        var response = APIResponse.error(
            ServiceError(status: 405, code: "method_not_allowed",
                         message: "\(request.method.rawValue) is not served on this path; use \(allowed)"),
            docBaseURL: docBaseURL)
        response.extraHeaders.append(("Allow", allowed))
        return RoutePipeline.render(response)
    }

    /// The routes of the template the router picks for `path`: like its trie, a literal segment
    /// wins over a parameter (`/v1/attachments/upload-url` is not `/v1/attachments/:id`).
    static func routes(on path: String, among routes: [DeclaredRoute]) -> [DeclaredRoute] {
        let matching = routes.filter { $0.matches(path: path) }
        func parameters(_ route: DeclaredRoute) -> [Bool] {
            route.path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") }
        }
        guard let chosen = matching.min(by: { parameters($0).lexicographicallyPrecedes(parameters($1)) { !$0 && $1 } })
        else { return [] }
        return matching.filter { $0.path == chosen.path }
    }
}
