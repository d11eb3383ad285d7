import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension RESTClient {
    /// Runs one logical call: attempts, token refresh, retries and error mapping.
    func send(_ prepared: TransportRequest) async throws -> TransportResponse {
        var retriesUsed = 0
        var refreshedAfterUnauthorized = false
        while true {
            try Task.checkCancellation()
            let token = try await tokens.token()
            var request = prepared
            if let token { request.headers["Authorization"] = "Bearer \(token)" }

            let response: TransportResponse
            do {
                response = try await transport.send(request)
            } catch {
                if Self.isCancellation(error) { throw CancellationError() }
                guard retriesUsed < retry.maxRetries else { throw NetworkError(underlying: error) }
                try await pause(retry.backoff(attempt: retriesUsed))
                retriesUsed += 1
                continue
            }

            switch response.statusCode {
            case 200..<300:
                return response
            case 401:
                // The token may have been revoked or rotated early: one fresh token is
                // worth a try, a second 401 means the user has to sign in again.
                guard !refreshedAfterUnauthorized else { throw AuthError(apiError: APIError(response: response)) }
                refreshedAfterUnauthorized = true
                await tokens.invalidate(ifCurrent: token)
            case 429:
                let retryAfter = RetryPolicy.retryAfter(of: response) ?? .zero
                // Retrying before the server's Retry-After only earns another 429, and
                // waiting past maxBackoff breaks the caller's ceiling: give up instead.
                guard retriesUsed < retry.maxRetries, retryAfter <= retry.maxBackoff else {
                    throw RateLimitedError(retryAfter: retryAfter, apiError: APIError(response: response))
                }
                try await pause(retry.delayAfterRateLimit(attempt: retriesUsed, retryAfter: retryAfter))
                retriesUsed += 1
            case 500..<600:
                guard retriesUsed < retry.maxRetries else { throw APIError(response: response) }
                try await pause(retry.backoff(attempt: retriesUsed))
                retriesUsed += 1
            default:
                throw APIError(response: response)
            }
        }
    }

    /// Sleeps between attempts; a cancelled task stops here with `CancellationError`
    /// whatever the sleep function does.
    private func pause(_ delay: Duration) async throws {
        try Task.checkCancellation()
        try await sleep(delay)
        try Task.checkCancellation()
    }

    /// URLSession on Linux reports a cancelled task as `URLError(.cancelled)`; a
    /// transport may also throw something else once the task is cancelled. All of it
    /// is cancellation, never a network failure to retry.
    static func isCancellation(_ error: any Error) -> Bool {
        if error is CancellationError || Task.isCancelled { return true }
        if let urlError = error as? URLError, urlError.code == .cancelled { return true }
        return false
    }
}
