import Foundation

/// Sends authenticated requests to the API, and is the escape hatch for routes the
/// typed resources do not cover (``Poolse/rest``).
///
/// Every request, typed or not, gets the same treatment:
/// - `Authorization: Bearer <token>` from the token cache (none when `getToken` returns nil);
/// - one forced token refresh and retry on a 401, then ``AuthError``;
/// - an `Idempotency-Key` on non-GET requests, the same one on every retry of the call;
/// - retries of network errors, 5xx and 429 with full-jitter exponential backoff
///   (see ``PoolseConfiguration/maxRetries``), honouring a longer `Retry-After`;
/// - typed errors (``APIError``, ``AuthError``, ``RateLimitedError``, ``NetworkError``);
/// - task cancellation stops it at once and surfaces as `CancellationError`.
public struct RESTClient: Sendable {
    let apiURL: URL
    let transport: any HTTPTransport
    let tokens: TokenCache
    let retry: RetryPolicy
    let generateIdempotencyKey: @Sendable () -> String
    let sleep: @Sendable (Duration) async throws -> Void

    init(configuration: PoolseConfiguration) {
        apiURL = configuration.apiURL
        transport = configuration.transport
        tokens = TokenCache(fetch: configuration.getToken, now: configuration.now)
        retry = RetryPolicy(maxRetries: max(0, configuration.maxRetries), baseBackoff: configuration.baseBackoff,
                            maxBackoff: configuration.maxBackoff, random: configuration.random)
        generateIdempotencyKey = configuration.generateIdempotencyKey
        sleep = configuration.sleep
    }

    /// Sends a request and decodes its JSON body into `Response`.
    ///
    /// ```swift
    /// let user: User = try await chat.rest.request(.get, "/v1/users/\(id)")
    /// ```
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The path under ``PoolseConfiguration/apiURL``, e.g. `/v1/me`, sent as
    ///     given (percent-encode dynamic segments yourself).
    ///   - query: Query items, percent-encoded by the SDK.
    ///   - body: Encoded as JSON with the wire's rules; nil sends no body.
    ///   - idempotencyKey: ``IdempotencyKeyPolicy/automatic`` (default), a fixed key, or none.
    ///   - type: The type to decode; unknown fields are ignored.
    /// - Throws: the ``PoolseError`` types, or `CancellationError`.
    public func request<Response: Decodable>(
        _ method: RequestMethod, _ path: String, query: [URLQueryItem] = [], body: (any Encodable)? = nil,
        idempotencyKey: IdempotencyKeyPolicy = .automatic, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await request(method, path, query: query, body: body, idempotencyKey: idempotencyKey)
            .decode(Response.self)
    }

    /// Sends a request and returns the raw successful (2xx) response: use it for 204
    /// routes, or to read headers such as `Idempotent-Replayed` (``TransportResponse/isReplayed``).
    ///
    /// Parameters and errors as in ``request(_:_:query:body:idempotencyKey:as:)``.
    @discardableResult
    public func request(
        _ method: RequestMethod, _ path: String, query: [URLQueryItem] = [], body: (any Encodable)? = nil,
        idempotencyKey: IdempotencyKeyPolicy = .automatic
    ) async throws -> TransportResponse {
        let url = try RequestURL.make(base: apiURL, path: path, query: query)
        var headers = ["Accept": "application/json", "User-Agent": "poolse-swift/\(Poolse.version)"]
        var bodyData: Data?
        if let body {
            do {
                bodyData = try WireCoding.encoder.encode(body)
            } catch {
                throw InvalidRequestError(message: "the request body does not encode as JSON: \(error)")
            }
            headers["Content-Type"] = "application/json"
        }
        // Resolved once, outside the retry loop: the whole point of the key is that
        // every attempt of this call carries the same one.
        if let key = idempotencyKey.resolve(for: method, generate: generateIdempotencyKey) {
            headers["Idempotency-Key"] = key
        }
        let prepared = TransportRequest(method: method, url: url, headers: headers, body: bodyData)
        return try await send(prepared)
    }
}
