import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Apple-platform WebSocket transport, on `URLSessionWebSocketTask`.
///
/// It compiles on Linux too, but there Foundation's URLSession (libcurl) fails every
/// WebSocket task, so Linux defaults to ``NIOWebSocketTransport``.
public struct URLSessionWebSocketTransport: WebSocketTransport {
    /// The largest message accepted from the server, in bytes (default 4 MiB; URLSession's
    /// own default is 1 MiB).
    public var maxMessageSize: Int

    /// Creates the transport; each connection gets its own `URLSession` with the
    /// default configuration.
    public init(maxMessageSize: Int = 4 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    public func connect(to url: URL) async throws -> any WebSocketConnection {
        let connection = URLSessionWebSocketConnection()
        try await connection.open(url: url, maxMessageSize: maxMessageSize)
        return connection
    }
}

/// One `URLSessionWebSocketTask` and the delegate that tells when it opened or ended.
/// URLSession keeps its delegate until the session is invalidated, which every way out
/// (failure, server close, ``close()``) does.
final class URLSessionWebSocketConnection: NSObject, URLSessionWebSocketDelegate, WebSocketConnection,
    @unchecked Sendable
{
    // @unchecked: all mutable state is in `state`, behind a lock.
    private struct State {
        var session: URLSession?
        var task: URLSessionWebSocketTask?
        var opened: CheckedContinuation<Void, any Error>?
        var isClosed = false
    }

    let messages: AsyncThrowingStream<String, any Error>
    private let incoming: AsyncThrowingStream<String, any Error>.Continuation
    private let state = Locked(State())

    override init() {
        (messages, incoming) = AsyncThrowingStream.makeStream(of: String.self)
        super.init()
    }

    func open(url: URL, maxMessageSize: Int) async throws {
        let session = URLSession(configuration: .default, delegate: self, delegateQueue: nil)
        let task = session.webSocketTask(with: url)
        task.maximumMessageSize = maxMessageSize
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    state.session = session
                    state.task = task
                    state.opened = opened
                    return state.isClosed
                }
                if cancelled { fail(CancellationError()) } else { task.resume() }
            }
        } onCancel: {
            state.withLock { $0.isClosed = true }
            task.cancel()
        }
        receiveNext(task)
    }

    func send(_ text: String) async throws {
        guard let task = state.withLock({ $0.task }) else { throw CancellationError() }
        try await task.send(.string(text))
    }

    func close() async {
        let (task, session) = state.withLock { state in
            state.isClosed = true
            return (state.task, state.session)
        }
        task?.cancel(with: .normalClosure, reason: nil)
        session?.finishTasksAndInvalidate()
        incoming.finish()
    }

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask,
                    didOpenWithProtocol protocol: String?) {
        let opened = state.withLock { state in
            defer { state.opened = nil }
            return state.opened
        }
        opened?.resume()
    }

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask,
                    didCloseWith closeCode: URLSessionWebSocketTask.CloseCode, reason: Data?) {
        incoming.finish()
        session.finishTasksAndInvalidate()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let status = (task.response as? HTTPURLResponse)?.statusCode
        if let status, status >= 300 {
            fail(WebSocketHandshakeError(status: status))
        } else {
            fail(error ?? URLError(.networkConnectionLost))
        }
        session.finishTasksAndInvalidate()
    }

    /// Ends the connection: fails a pending ``open(url:maxMessageSize:)`` and the message stream.
    private func fail(_ error: any Error) {
        let opened = state.withLock { state in
            defer { state.opened = nil }
            return state.opened
        }
        opened?.resume(throwing: error)
        incoming.finish(throwing: error)
    }

    private func receiveNext(_ task: URLSessionWebSocketTask) {
        task.receive { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(.string(let text)):
                incoming.yield(text)
                receiveNext(task)
            case .success(.data(let data)):
                incoming.yield(String(decoding: data, as: UTF8.self))
                receiveNext(task)
            case .success:
                receiveNext(task)
            case .failure(let error):
                incoming.finish(throwing: error)
            }
        }
    }
}
