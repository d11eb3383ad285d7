import Foundation
import PoolseWire

/// What a route handler returns: a status and an already-encoded body. Keeping the
/// bytes lets the idempotency layer store and replay a response verbatim.
struct APIResponse: Sendable {
    var status: Int
    var body: Data
    var contentType: String?
    var extraHeaders: [(String, String)] = []

    /// A JSON response.
    static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> APIResponse {
        APIResponse(status: status, body: try WireCoding.encoder.encode(value), contentType: "application/json")
    }

    /// A JSON response whose body is already encoded.
    static func encodedJSON(_ body: Data, status: Int = 200) -> APIResponse {
        APIResponse(status: status, body: body, contentType: "application/json")
    }

    /// `{data: [...]}`.
    static func list<T: Codable & Sendable>(_ items: [T]) throws -> APIResponse {
        try json(DataList(data: items))
    }

    /// 204 No Content.
    static let noContent = APIResponse(status: 204, body: Data(), contentType: nil)

    /// The error envelope of PROTOCOL.md §2.
    static func error(_ error: ServiceError, docBaseURL: String) -> APIResponse {
        let envelope = ErrorEnvelope(error: ErrorBody(
            code: error.code, message: error.message, docURL: "\(docBaseURL)/docs/errors#\(error.code)",
            details: error.details))
        var response = APIResponse(
            status: error.status, body: (try? WireCoding.encoder.encode(envelope)) ?? Data(),
            contentType: "application/json")
        if let retryAfter = error.retryAfterSeconds { response.extraHeaders.append(("Retry-After", String(retryAfter))) }
        return response
    }
}
