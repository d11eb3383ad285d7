import Foundation
import PoolseWire

/// Health and the API description.
enum OperationalRoutes {
    static func specs(store: Store, metrics: ServerMetrics) -> [RouteSpec] {
        [
            RouteSpec(method: .get, path: "/healthz", auth: .none, rateClass: .unlimited) { _ in
                do {
                    _ = try await store.read { try await $0.hasAnyTenant() }
                    return try .json(["status": "ok"])
                } catch {
                    throw ServiceError(status: 503, code: "unavailable", message: "the database is not reachable")
                }
            },
            RouteSpec(method: .get, path: "/metrics", auth: .none, rateClass: .unlimited) { _ in
                APIResponse(status: 200, body: Data(metrics.exposition()), contentType: "text/plain; version=0.0.4")
            },
            RouteSpec(method: .get, path: "/openapi.json", auth: .none, rateClass: .unlimited) { _ in
                APIResponse(status: 200, body: try OpenAPIDocument.data(), contentType: "application/json")
            },
        ]
    }
}

/// The OpenAPI 3.1 document kept in `Sources/PoolseServer/OpenAPI/openapi.json`.
enum OpenAPIDocument {
    static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw ServiceError.internalError
        }
        return try Data(contentsOf: url)
    }
}
