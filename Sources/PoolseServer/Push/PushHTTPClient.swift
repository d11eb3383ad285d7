import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The HTTP client the push providers share: HTTP/2 to APNs (negotiated by ALPN), HTTP/1.1 or
/// HTTP/2 to Google. Created on the first push, so a server that never sends one opens nothing,
/// and shut down by `PoolseApp.close()`.
actor PushHTTPClient {
    /// An answer, its body read up to `maxBodyBytes`.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
    }

    /// Provider error bodies are small JSON objects; anything longer is cut.
    static let maxBodyBytes = 64 * 1024

    private let trustRootsFile: String?
    private let timeout: TimeAmount
    private var client: HTTPClient?
    private var closed = false

    init(configuration: PushConfiguration) {
        trustRootsFile = configuration.trustRootsFile
        timeout = .seconds(configuration.requestTimeoutSeconds)
    }

    /// Sends `request` and reads the answer. Throws on a network failure or timeout.
    nonisolated func execute(_ request: HTTPClientRequest) async throws -> Response {
        let (client, timeout) = try await connection()
        let response = try await client.execute(request, timeout: timeout)
        var body = try await response.body.collect(upTo: Self.maxBodyBytes + 1)
        if body.readableBytes > Self.maxBodyBytes { body = body.getSlice(at: body.readerIndex, length: Self.maxBodyBytes) ?? body }
        return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
    }

    /// Closes the connections; later requests fail.
    func shutdown() async {
        closed = true
        let client = self.client
        self.client = nil
        try? await client?.shutdown()
    }

    private func connection() throws -> (HTTPClient, TimeAmount) {
        guard !closed else { throw PushTransportError("the push client is shut down") }
        if let client { return (client, timeout) }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let trustRootsFile { tls.trustRoots = .file(trustRootsFile) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: timeout)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.client = client
        return (client, timeout)
    }
}

/// A push request that could not be made (not an answer from the provider).
struct PushTransportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
