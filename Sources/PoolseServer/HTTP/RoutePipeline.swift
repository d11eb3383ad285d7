import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PoolseWire

/// Runs one request through the steps every REST route shares, in this order:
/// body-size check → authentication → rate limit → body → idempotency → handler.
/// Any error becomes the §2 envelope; nothing internal reaches the caller.
struct RoutePipeline: Sendable {
    let authenticator: Authenticator
    let rateLimiter: RateLimiter
    let idempotency: IdempotencyGuard
    let limits: Limits
    let docBaseURL: String
    let metrics: ServerMetrics

    func respond(_ spec: RouteSpec, request: Request, context: some RequestContext) async -> Response {
        let start = ContinuousClock.now
        let api: APIResponse
        do {
            api = try await run(spec, request: request, context: context)
        } catch let error where ServiceError.reporting(error) != nil {
            api = .error(ServiceError.reporting(error) ?? .internalError, docBaseURL: docBaseURL)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            api = .error(.internalError, docBaseURL: docBaseURL)
        }
        metrics.recordRequest(route: spec.path, method: spec.method.rawValue, status: api.status,
                              duration: ContinuousClock.now - start)
        return Self.render(api)
    }

    private func run(_ spec: RouteSpec, request: Request, context: some RequestContext) async throws -> APIResponse {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxBodyBytes {
            throw ServiceError.payloadTooLarge(limit: limits.maxBodyBytes)
        }
        let principal = try await authenticator.authenticate(authorization: request.headers[.authorization],
                                                             as: spec.auth)
        if let principal, let wait = await rateLimiter.acquire(caller: principal.callerId, rateClass: spec.rateClass) {
            throw ServiceError.rateLimited(retryAfter: wait)
        }
        let body: Data
        do {
            body = Data(buffer: try await request.body.collect(upTo: limits.maxBodyBytes))
        } catch is NIOTooManyBytesError {
            throw ServiceError.payloadTooLarge(limit: limits.maxBodyBytes)
        }
        var parameters: [String: String] = [:]
        for (key, value) in context.parameters { parameters[String(key)] = String(value) }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let apiRequest = APIRequest(method: request.method, path: request.uri.path, principal: principal,
                                    parameters: parameters, query: query, body: body, headers: request.headers)

        guard spec.method != .get, let principal,
              let key = request.headers[HTTPField.Name.idempotencyKey]
        else { return try await spec.handler(apiRequest) }
        guard !key.isEmpty, key.count <= limits.maxIdempotencyKeyLength else {
            throw ServiceError.badRequest("Idempotency-Key must be 1 to \(limits.maxIdempotencyKeyLength) characters")
        }
        let scope = IdempotencyScope(tenantId: principal.tenantId, callerId: principal.callerId,
                                     method: spec.method.rawValue, path: request.uri.path, key: key)
        return try await idempotency.run(scope: scope, body: body) { try await spec.handler(apiRequest) }
    }

    static func render(_ api: APIResponse) -> Response {
        var headers = HTTPFields()
        if let contentType = api.contentType { headers[.contentType] = contentType }
        for (name, value) in api.extraHeaders {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: api.status)
        guard api.status != 204 else { return Response(status: status, headers: headers) }
        headers[.contentLength] = String(api.body.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: api.body)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let retryAfter = HTTPField.Name("Retry-After")!
}
