#if canImport(WSClient)
import Foundation
import Logging
import WSClient

/// The Linux WebSocket transport: a SwiftNIO client (`WSClient` from
/// hummingbird-project/swift-websocket). Linux Foundation's URLSession is built on
/// libcurl without WebSocket support, so this is the default there; the package links
/// it on Linux only, and Apple platforms use ``URLSessionWebSocketTransport``.
public struct NIOWebSocketTransport: WebSocketTransport {
    /// The largest message accepted from the server, in bytes (default 4 MiB). A message
    /// with a long body and its attachments, or the presence of a big group, is well
    /// over WebSocket libraries' usual 16 KiB frame limit.
    public var maxMessageSize: Int

    /// Creates the transport.
    public init(maxMessageSize: Int = 4 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    public func connect(to url: URL) async throws -> any WebSocketConnection {
        let connection = NIOWebSocketConnection()
        try await connection.open(url: url, maxMessageSize: maxMessageSize)
        return connection
    }
}

/// A `WebSocketClient` run turned inside out: the client's structured `connect` closure
/// runs in a task for the life of the connection, and this object hands its outbound
/// writer and inbound messages to the realtime driver.
final class NIOWebSocketConnection: WebSocketConnection {
    private struct State {
        var outbound: WebSocketOutboundWriter?
        var opened: CheckedContinuation<Void, any Error>?
        var task: Task<Void, Never>?
        var isClosed = false
    }

    let messages: AsyncThrowingStream<String, any Error>
    private let incoming: AsyncThrowingStream<String, any Error>.Continuation
    private let state = Locked(State())
    /// The SDK does not log; WSClient's own debug output goes nowhere.
    private static let logger = Logger(label: "poolse.realtime.websocket") { _ in SwiftLogNoOpLogHandler() }

    init() {
        (messages, incoming) = AsyncThrowingStream.makeStream(of: String.self)
    }

    func open(url: URL, maxMessageSize: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
                // Stored before the run starts, so a run that fails at once finds it.
                state.withLock { $0.opened = opened }
                let task = Task { await self.run(url: url, maxMessageSize: maxMessageSize) }
                let cancelled = state.withLock { state -> Bool in
                    state.task = task
                    return state.isClosed
                }
                if cancelled { task.cancel() }
            }
        } onCancel: {
            let task = state.withLock { state -> Task<Void, Never>? in
                state.isClosed = true
                return state.task
            }
            task?.cancel()
        }
    }

    func send(_ text: String) async throws {
        guard let outbound = state.withLock({ $0.outbound }) else { throw CancellationError() }
        try await outbound.write(.text(text))
    }

    func close() async {
        let (outbound, task) = state.withLock { state -> (WebSocketOutboundWriter?, Task<Void, Never>?) in
            state.isClosed = true
            return (state.outbound, state.task)
        }
        // A close frame tells the server at once (so presence shows the leave now); the
        // cancel ends the run even if the server never answers it.
        try? await outbound?.close(.normalClosure, reason: nil)
        task?.cancel()
    }

    private func run(url: URL, maxMessageSize: Int) async {
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = maxMessageSize
        do {
            try await WebSocketClient.connect(
                url: url.absoluteString, configuration: configuration, logger: Self.logger
            ) { inbound, outbound, _ in
                self.didOpen(outbound)
                for try await message in inbound.messages(maxSize: maxMessageSize) {
                    if case .text(let text) = message { self.incoming.yield(text) }
                }
            }
            finishOpening(with: CancellationError())
            incoming.finish()
        } catch {
            let mapped: any Error =
                (error as? WebSocketClientError) == .webSocketUpgradeFailed ? WebSocketHandshakeError(status: nil) : error
            finishOpening(with: mapped)
            incoming.finish(throwing: mapped)
        }
    }

    private func didOpen(_ outbound: WebSocketOutboundWriter) {
        let opened = state.withLock { state in
            state.outbound = outbound
            defer { state.opened = nil }
            return state.opened
        }
        opened?.resume()
    }

    /// Fails `open` if the run ended before the upgrade succeeded.
    private func finishOpening(with error: any Error) {
        let opened = state.withLock { state in
            defer { state.opened = nil }
            return state.opened
        }
        opened?.resume(throwing: error)
    }
}
#endif
