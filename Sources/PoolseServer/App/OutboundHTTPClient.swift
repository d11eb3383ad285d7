import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The HTTP client for calls the server makes to others: the push providers (HTTP/2 to APNs,
/// negotiated by ALPN; HTTP/1.1 or 2 to Google) and the before-send hook. Created on the first
/// call, so a server that never makes one opens nothing, and shut down by `PoolseApp.close()`.
/// Redirects are not followed: a hook's address is checked (`PrivateAddressPolicy`), the address
/// it would redirect to is not.
actor OutboundHTTPClient {
    /// An answer, its body read up to `maxBodyBytes`.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
    }

    /// Provider and hook answers are small JSON objects; anything longer is cut.
    static let maxBodyBytes = 64 * 1024

    private let trustRootsFile: String?
    private let timeout: TimeAmount
    private var client: HTTPClient?
    private var closed = false

    /// `trustRootsFile`: a PEM file of CAs trusted instead of the system's. `timeout`: the default
    /// time one request may take.
    init(trustRootsFile: String?, timeout: TimeAmount) {
        self.trustRootsFile = trustRootsFile
        self.timeout = timeout
    }

    /// The push providers' client.
    init(configuration: PushConfiguration) {
        self.init(trustRootsFile: configuration.trustRootsFile, timeout: .seconds(configuration.requestTimeoutSeconds))
    }

    /// Sends `request` and reads the whole answer within `timeout` (default: the client's).
    /// Throws on a network failure, a timeout, or an answer longer than `maxBodyBytes`.
    nonisolated func execute(_ request: HTTPClientRequest, timeout: TimeAmount? = nil) async throws -> Response {
        let (client, defaultTimeout) = try await connection()
        let limit = timeout ?? defaultTimeout
        // The deadline covers the answer's head; the race with a sleep also covers a body that stalls.
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask {
                let response = try await client.execute(request, deadline: .now() + limit)
                let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(limit.nanoseconds, 0)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw OutboundHTTPError("no answer within \(limit.nanoseconds / 1_000_000) ms")
            }
            return response
        }
    }

    /// Closes the connections; later requests fail.
    func shutdown() async {
        closed = true
        let client = self.client
        self.client = nil
        try? await client?.shutdown()
    }

    private func connection() throws -> (HTTPClient, TimeAmount) {
        guard !closed else { throw OutboundHTTPError("the outbound HTTP client is shut down") }
        if let client { return (client, timeout) }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let trustRootsFile { tls.trustRoots = .file(trustRootsFile) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.client = client
        return (client, timeout)
    }
}

/// An outbound request that got no usable answer (not an HTTP status from the other side).
struct OutboundHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
