import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The default ``HTTPTransport``: `URLSession.data(for:)`.
///
/// URLSession reports a cancelled task as `URLError(.cancelled)` (on Linux too); this
/// transport rethrows that as `CancellationError` so callers see one cancellation type.
public struct URLSessionTransport: HTTPTransport {
    /// The session requests go through.
    public let session: URLSession

    /// Creates a transport over `session` (default `URLSession.shared`).
    public init(session: URLSession = .shared) {
        self.session = session
    }

    /// Sends the request with `URLSession.data(for:)`.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        var urlRequest = Self.urlRequest(request)
        urlRequest.httpBody = request.body
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError where error.code == .cancelled {
            throw CancellationError()
        }
        return try Self.transportResponse(data, response)
    }

    /// The URLRequest for `request`, without its body.
    static func urlRequest(_ request: TransportRequest) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        return urlRequest
    }

    /// What URLSession returned, as a ``TransportResponse``.
    static func transportResponse(_ data: Data, _ response: URLResponse) throws -> TransportResponse {
        guard let http = response as? HTTPURLResponse else {
            throw URLError(.badServerResponse)
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String {
                headers[name] = value
            }
        }
        return TransportResponse(statusCode: http.statusCode, headers: headers, body: data)
    }
}
