import Foundation

/// The seam between the SDK and the network: sends one HTTP request and returns the
/// response, whatever its status.
///
/// The SDK's default is ``URLSessionTransport``. Inject your own through
/// ``PoolseConfiguration/transport`` in tests or in runtimes where URLSession is not
/// the right tool. A transport must:
/// - return non-2xx responses as values (the SDK turns them into typed errors);
/// - throw only when no response arrived (connection refused, timeout, TLS, …);
/// - throw `CancellationError` (or `URLError(.cancelled)`) promptly when the calling
///   task is cancelled.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's response.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// An HTTP method. Any token is allowed; the common ones have static members.
public struct RequestMethod: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The method token as sent on the wire, e.g. `POST`.
    public let rawValue: String

    /// Creates a method; the token is upper-cased.
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    /// Creates a method from a literal such as `"POST"`.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// `GET`.
    public static let get: RequestMethod = "GET"
    /// `POST`.
    public static let post: RequestMethod = "POST"
    /// `PUT`.
    public static let put: RequestMethod = "PUT"
    /// `PATCH`.
    public static let patch: RequestMethod = "PATCH"
    /// `DELETE`.
    public static let delete: RequestMethod = "DELETE"

    /// The method token.
    public var description: String { rawValue }
}

/// One HTTP request as the SDK hands it to an ``HTTPTransport``.
public struct TransportRequest: Sendable, Hashable {
    /// The method.
    public var method: RequestMethod
    /// The absolute URL, query included.
    public var url: URL
    /// Header fields; names as the SDK spells them (`Authorization`, `Idempotency-Key`, …).
    public var headers: [String: String]
    /// The body, nil when there is none.
    public var body: Data?

    /// Creates a request.
    public init(method: RequestMethod, url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? { headers.caseInsensitiveValue(for: name) }
}

/// One HTTP response as an ``HTTPTransport`` returns it.
public struct TransportResponse: Sendable, Hashable {
    /// The status code, e.g. 200.
    public var statusCode: Int
    /// Header fields as received.
    public var headers: [String: String]
    /// The body, empty when there is none (204).
    public var body: Data

    /// Creates a response.
    public init(statusCode: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    /// The value of a header, matched case-insensitively (HTTP header names are).
    public func header(_ name: String) -> String? { headers.caseInsensitiveValue(for: name) }
}

extension Dictionary where Key == String, Value == String {
    func caseInsensitiveValue(for name: String) -> String? {
        if let exact = self[name] { return exact }
        let lowered = name.lowercased()
        return first { $0.key.lowercased() == lowered }?.value
    }
}
