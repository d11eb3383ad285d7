import Foundation

/// The seam between the realtime client and the network: opens WebSocket connections.
///
/// The default (``PoolseConfiguration/webSocketTransport``) is
/// ``URLSessionWebSocketTransport`` on Apple platforms and ``NIOWebSocketTransport`` on
/// Linux, where Foundation's URLSession has no WebSocket support. Inject your own in
/// tests or unusual runtimes. The realtime client speaks Phoenix frames as text over it
/// and does its own heartbeats, so a transport needs no ping logic.
public protocol WebSocketTransport: Sendable {
    /// Opens a connection and returns once the WebSocket upgrade succeeded.
    ///
    /// - Parameter url: `ws://` or `wss://`, query included (`token`, `vsn`).
    /// - Throws: ``WebSocketHandshakeError`` when the server answered the upgrade with an
    ///   HTTP error (403 for a bad or expired token); any other error when no connection
    ///   could be made; `CancellationError` promptly when the calling task is cancelled.
    func connect(to url: URL) async throws -> any WebSocketConnection
}

/// One open WebSocket connection of a ``WebSocketTransport``.
public protocol WebSocketConnection: Sendable {
    /// The text messages from the server, in order. Iterated once. Finishes when the
    /// connection closes, throws when it fails.
    var messages: AsyncThrowingStream<String, any Error> { get }

    /// Sends one text message; throws when the connection is gone. Calls are made one
    /// at a time, in order.
    func send(_ text: String) async throws

    /// Closes the connection with a normal closure; ``messages`` finishes. Calling it
    /// again does nothing.
    func close() async
}

/// The server refused the WebSocket upgrade with an HTTP error.
public struct WebSocketHandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status of the refusal, when the transport can tell (403 for a bad token).
    public var status: Int?

    /// Creates the error.
    public init(status: Int?) { self.status = status }

    /// The status, described.
    public var description: String { "WebSocket upgrade refused" + (status.map { " with HTTP \($0)" } ?? "") }
}

/// The platform's default WebSocket transport.
func defaultWebSocketTransport() -> any WebSocketTransport {
    #if canImport(WSClient)
    NIOWebSocketTransport()
    #else
    URLSessionWebSocketTransport()
    #endif
}
