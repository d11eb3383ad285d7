import Foundation
import HTTPTypes
import PoolseWire

/// What a route handler sees: the authenticated caller, path and query parameters and
/// the raw body, with helpers that turn bad input into the protocol's errors.
struct APIRequest: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let principal: Principal?
    let parameters: [String: String]
    let query: [String: String]
    let body: Data
    let headers: HTTPFields

    /// The end user calling a `.userToken` route.
    var user: UserPrincipal {
        get throws {
            guard case .user(let user) = principal else { throw ServiceError.unauthorized() }
            return user
        }
    }

    /// Whoever calls a `.userOrAPIKey` route.
    var caller: Principal {
        get throws {
            guard let principal else { throw ServiceError.unauthorized() }
            return principal
        }
    }

    /// The tenant calling an `.apiKey` route.
    var tenantId: String {
        get throws {
            guard case .tenant(let tenantId, _) = principal else { throw ServiceError.unauthorized() }
            return tenantId
        }
    }

    /// A path parameter that must be a UUID (400 `bad_request` otherwise).
    func uuid(_ name: String) throws -> String {
        guard let raw = parameters[name], let id = IDs.canonical(raw) else {
            throw ServiceError.badRequest("\(name) in the path is not a valid UUID")
        }
        return id
    }

    /// A raw path parameter.
    func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw ServiceError.badRequest("missing path parameter \(name)") }
        return value
    }

    /// An optional integer query parameter within `range`.
    func integerQuery(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let raw = query[name] else { return nil }
        guard let value = Int64(raw) else { throw ServiceError.badRequest("\(name) must be an integer") }
        guard range.contains(value) else {
            throw ServiceError.validation(name, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// Decodes the JSON body. Malformed JSON and wrong types are 400 `bad_request`;
    /// missing required fields are 422 `validation_failed`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !body.isEmpty else { throw ServiceError.badRequest("a JSON object body is required") }
        do {
            return try WireCoding.decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw ServiceError.badRequest("the body is not valid JSON")
        }
    }

    /// Decodes the body when there is one, else returns `empty`.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, default empty: T) throws -> T {
        body.isEmpty ? empty : try decode(T.self)
    }

    private static func describe(_ error: DecodingError) -> ServiceError {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .validation(path(context, key), "can't be blank")
        case .valueNotFound(_, let context):
            return .validation(path(context), "can't be blank")
        case .typeMismatch(let type, let context):
            return .badRequest("\(path(context)): expected \(Self.jsonTypeName(type))",
                               details: .object([path(context): .array([.string("has the wrong type")])]))
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? .badRequest("the body is not valid JSON")
                : .badRequest("\(path(context)): \(context.debugDescription)")
        @unknown default:
            return .badRequest("the body could not be read")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
