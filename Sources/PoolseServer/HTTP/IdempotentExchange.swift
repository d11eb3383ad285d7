import NIOConcurrencyHelpers

/// One idempotent request in flight (PROTOCOL.md §4.2), bound as a task-local while its handler
/// runs, so that the response can be stored in the same transaction as the handler's write.
///
/// Why: stored in a transaction of its own after the write, a crash between the two left a key
/// that answered 409 until the claim went stale and then ran the request again (a send without
/// a client id was stored twice). A route opts in with `APIRequest.respond(_:_:)`: its response
/// is rendered from the service's result inside the commit (`CommitHook`), and the record is
/// completed there. Routes that do not opt in keep the separate completion.
final class IdempotentExchange: Sendable {
    @TaskLocal static var current: IdempotentExchange?

    let scope: IdempotencyScope
    private let stored = NIOLockedValueBox<APIResponse?>(nil)

    init(scope: IdempotencyScope) { self.scope = scope }

    /// The response completed inside the write's transaction, if any.
    var storedResponse: APIResponse? { stored.withLockedValue { $0 } }

    /// Completes the key with `response` in the transaction `q` (once; 2xx only).
    func complete(with response: APIResponse, _ q: Queries) async throws {
        guard (200..<300).contains(response.status), storedResponse == nil else { return }
        try await q.completeIdempotencyKey(scope, status: response.status, contentType: response.contentType,
                                           body: String(decoding: response.body, as: UTF8.self))
        stored.withLockedValue { $0 = response }
    }
}

extension APIRequest {
    /// Runs `work` (a service call that commits a change whose result is a `T`) and renders its
    /// result with `render`. Under an `Idempotency-Key`, the rendered response is stored in the
    /// change's own transaction, and exactly that response is returned.
    func respond<T: Sendable>(_ render: @escaping @Sendable (T) throws -> APIResponse,
                              _ work: () async throws -> T) async throws -> APIResponse {
        try await IdempotentExchange.respond(render, work)
    }
}

extension IdempotentExchange {
    /// `APIRequest.respond(_:_:)`, for the exchange bound to the current task (if any).
    static func respond<T: Sendable>(_ render: @escaping @Sendable (T) throws -> APIResponse,
                                     _ work: () async throws -> T) async throws -> APIResponse {
        guard let exchange = IdempotentExchange.current else { return try render(try await work()) }
        let hook = CommitHook { result, q in
            guard let value = result as? T else { return }
            try await exchange.complete(with: try render(value), q)
        }
        let value = try await CommitHook.$current.withValue(hook) { try await work() }
        return try exchange.storedResponse ?? render(value)
    }
}
