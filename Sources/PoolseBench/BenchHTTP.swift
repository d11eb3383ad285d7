import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PoolseWire

/// A small JSON client over AsyncHTTPClient: the load generator must cost less CPU per
/// request than the server it measures, which URLSession on Linux does not.
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let baseURL: String

    init(baseURL: String, connections: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.baseURL = baseURL
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends a request and decodes a 2xx JSON answer.
    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, token: String, body: (any Encodable)? = nil,
                            as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try WireCoding.encoder.encode(body)))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "\(method) \(path): \(response.status.code) \(String(buffer: bytes))")
        }
        return try WireCoding.decoder.decode(T.self, from: Data(buffer: bytes))
    }

    /// A GET whose text answer is returned as is.
    func text(_ path: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    func shutdown() async { try? await client.shutdown() }
}
