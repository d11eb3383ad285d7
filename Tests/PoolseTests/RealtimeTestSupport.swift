import Foundation
import Testing
@testable import Poolse

/// Time for the realtime timers that moves only when the test says so: every sleep
/// is recorded, and `advance(by:)` wakes the sleepers whose deadline has come.
final class VirtualClock: Sendable {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var sleepers: [UInt64: Sleeper] = [:]
        var lastID: UInt64 = 0
        var requested: [Duration] = []
    }

    private let state = Locked(State())

    /// Every duration asked for, in order.
    var requested: [Duration] { state.withLock { $0.requested } }

    /// The remaining waits of the sleepers now pending, shortest first.
    var pending: [Duration] {
        state.withLock { state in state.sleepers.values.map { $0.deadline - state.now }.sorted() }
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] delay in try await self.sleep(for: delay) }
    }

    private func sleep(for delay: Duration) async throws {
        let id = state.withLock { state in
            state.lastID += 1
            return state.lastID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.requested.append(delay)
                    state.sleepers[id] = Sleeper(deadline: state.now + delay, continuation: continuation)
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper that is due, earliest first.
    func advance(by delay: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += delay
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        due.forEach { $0.continuation.resume() }
    }
}

/// A WebSocket transport whose "server" is the test: it records every connection
/// attempt and every frame the client sends, and a small built-in Phoenix server
/// answers joins, leaves and heartbeats unless told otherwise.
final class FakeWebSocketTransport: WebSocketTransport {
    enum Plan: Sendable {
        case accept
        case fail(any Error)
    }

    /// How the built-in server answers.
    struct ServerBehaviour: Sendable {
        var answersJoins = true
        var answersHeartbeats = true
        /// Topic → the reason the join is refused with.
        var refusedTopics: [String: String] = [:]
    }

    private struct State {
        var plans: [Plan] = []
        var fallback: Plan = .accept
        var urls: [URL] = []
        var connections: [FakeConnection] = []
        var behaviour = ServerBehaviour()
    }

    private let state = Locked(State())

    /// Plays `plans` for the next connection attempts, then `fallback`.
    func script(_ plans: [Plan], then fallback: Plan = .accept) {
        state.withLock { state in
            state.plans = plans
            state.fallback = fallback
        }
    }

    var behaviour: ServerBehaviour {
        get { state.withLock { $0.behaviour } }
        set { state.withLock { $0.behaviour = newValue } }
    }

    var urls: [URL] { state.withLock { $0.urls } }
    var attempts: Int { state.withLock { $0.urls.count } }
    var connections: [FakeConnection] { state.withLock { $0.connections } }
    var current: FakeConnection? { connections.last }

    /// Every token the client connected (or tried to connect) with, in order.
    var tokens: [String?] {
        urls.map { url in
            URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "token" }?.value
        }
    }

    func connect(to url: URL) async throws -> any WebSocketConnection {
        let plan = state.withLock { state -> Plan in
            state.urls.append(url)
            return state.plans.isEmpty ? state.fallback : state.plans.removeFirst()
        }
        switch plan {
        case .fail(let error):
            throw error
        case .accept:
            let connection = FakeConnection(url: url) { [weak self] in self?.behaviour ?? ServerBehaviour() }
            state.withLock { $0.connections.append(connection) }
            return connection
        }
    }
}

/// One fake socket: what the client sent, and levers for the server side.
final class FakeConnection: WebSocketConnection {
    let url: URL
    let messages: AsyncThrowingStream<String, any Error>
    private let toClient: AsyncThrowingStream<String, any Error>.Continuation
    private let behaviour: @Sendable () -> FakeWebSocketTransport.ServerBehaviour
    private let state = Locked<(sent: [PhoenixFrame], isClosed: Bool)>(([], false))

    init(url: URL, behaviour: @escaping @Sendable () -> FakeWebSocketTransport.ServerBehaviour) {
        self.url = url
        self.behaviour = behaviour
        (messages, toClient) = AsyncThrowingStream.makeStream(of: String.self)
    }

    /// Every frame the client sent, in order.
    var sent: [PhoenixFrame] { state.withLock { $0.sent } }
    var isClosed: Bool { state.withLock { $0.isClosed } }

    /// The frames of `event` the client sent (on `topic`, when given).
    func sent(_ event: String, topic: String? = nil) -> [PhoenixFrame] {
        sent.filter { $0.event == event && (topic == nil || $0.topic == topic) }
    }

    /// The join ref of the last join the client sent on `topic`.
    func joinRef(of topic: String) -> String? { sent(PhoenixFrame.Event.join, topic: topic).last?.joinRef }

    func send(_ text: String) async throws {
        let frame = try PhoenixFrame.decode(Data(text.utf8))
        let accepted = state.withLock { state -> Bool in
            guard !state.isClosed else { return false }
            state.sent.append(frame)
            return true
        }
        guard accepted else { throw URLError(.networkConnectionLost) }
        answer(frame)
    }

    func close() async {
        state.withLock { $0.isClosed = true }
        toClient.finish()
    }

    // MARK: Server side

    /// Sends a frame to the client.
    func push(_ frame: PhoenixFrame) {
        toClient.yield(String(decoding: (try? frame.encoded()) ?? Data(), as: UTF8.self))
    }

    /// Sends a server push `event` on `topic`, under the topic's current join ref.
    func push(_ event: String, topic: String, payload: JSONValue) {
        push(PhoenixFrame(joinRef: joinRef(of: topic), ref: nil, topic: topic, event: event, payload: payload))
    }

    /// Sends raw text to the client.
    func pushText(_ text: String) { toClient.yield(text) }

    /// The server drops the connection.
    func drop() {
        state.withLock { $0.isClosed = true }
        toClient.finish(throwing: URLError(.networkConnectionLost))
    }

    private func answer(_ frame: PhoenixFrame) {
        let behaviour = behaviour()
        switch frame.event {
        case PhoenixFrame.Event.heartbeat where behaviour.answersHeartbeats:
            push(frame.reply(status: "ok"))
        case PhoenixFrame.Event.join where behaviour.answersJoins:
            if let reason = behaviour.refusedTopics[frame.topic] {
                push(frame.reply(status: "error", response: ["reason": .string(reason)]))
            } else {
                push(frame.reply(status: "ok"))
            }
        case PhoenixFrame.Event.leave:
            push(frame.reply(status: "ok"))
            push(PhoenixFrame(joinRef: frame.joinRef, ref: frame.joinRef, topic: frame.topic,
                              event: PhoenixFrame.Event.close))
        default:
            break
        }
    }
}

/// An HTTP transport answered by a closure; records requests.
final class RoutedHTTPTransport: HTTPTransport {
    private let handler: @Sendable (TransportRequest) async -> TransportResponse
    private let recorded = Locked<[TransportRequest]>([])

    init(_ handler: @escaping @Sendable (TransportRequest) async -> TransportResponse) { self.handler = handler }

    var requests: [TransportRequest] { recorded.withLock { $0 } }

    /// The `after` values of the catch-up requests made so far.
    var catchUpCursors: [String] {
        requests.compactMap { request in
            URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "after" }?
                .value
        }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        recorded.withLock { $0.append(request) }
        return await handler(request)
    }
}

/// A realtime client over the fakes, with its errors collected.
struct RealtimeHarness {
    let transport = FakeWebSocketTransport()
    let clock = VirtualClock()
    let http: RoutedHTTPTransport
    let errors = Locked<[RealtimeError]>([])
    let chat: Poolse

    /// `http` answers REST calls (catch-up); by default every conversation has
    /// `last_sequence` 0 and no messages.
    init(http: RoutedHTTPTransport = RoutedHTTPTransport(RealtimeHarness.emptyServer),
         configure: (inout PoolseConfiguration) -> Void = { _ in },
         getToken: @escaping @Sendable () async throws -> String? = { "token-1" }) {
        self.http = http
        var configuration = PoolseConfiguration(
            apiURL: URL(string: "https://chat.example.test")!, transport: http, webSocketTransport: transport,
            getToken: getToken)
        configuration.sleep = { _ in }
        configuration.realtimeSleep = clock.sleep
        configuration.now = { Date(timeIntervalSince1970: 1_800_000_000) }
        let errors = self.errors
        configuration.onSocketError = { error in
            if let error = error as? RealtimeError { errors.withLock { $0.append(error) } }
        }
        configure(&configuration)
        chat = Poolse(configuration)
    }

    var errorCodes: [RealtimeError.Code] { errors.withLock { $0.map(\.code) } }

    static let emptyServer: @Sendable (TransportRequest) -> TransportResponse = { request in
        if request.url.path.hasSuffix("/messages") { return .json(200, Fixture.list([])) }
        return .json(200, Fixture.conversation(id: "c-1"))
    }

    /// Waits until the socket has made `count` connection attempts.
    func waitForAttempts(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async {
        await eventually({ transport.attempts >= count }, sourceLocation: sourceLocation)
    }

    /// Waits until the current connection has sent a frame matching `predicate`.
    func waitForFrame(_ event: String, topic: String? = nil, count: Int = 1,
                      sourceLocation: SourceLocation = #_sourceLocation) async {
        await eventually({ (transport.current?.sent(event, topic: topic).count ?? 0) >= count },
                         sourceLocation: sourceLocation)
    }

    /// Waits until `channel` is joined.
    func waitUntilJoined(_ channel: ConversationChannel, sourceLocation: SourceLocation = #_sourceLocation) async {
        await eventually({ if case .joined = channel.state { return true } else { return false } },
                         sourceLocation: sourceLocation)
    }
}

/// Collects what a listener receives.
final class Received<Value: Sendable>: Sendable {
    private let values = Locked<[Value]>([])

    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }

    var append: @Sendable (Value) -> Void { { [values] value in values.withLock { $0.append(value) } } }
}

/// JSON text as a payload tree.
func json(_ text: String) -> JSONValue {
    try! WireCoding.decoder.decode(JSONValue.self, from: Data(text.utf8))
}

extension Fixture {
    /// A message of conversation `c-1` as the server pushes it.
    static func messageValue(sequence: Int64, body: String = "hi") -> JSONValue {
        json(message(id: "m-\(sequence)", sequence: Int(sequence), body: body))
    }

    static func conversationValue(id: String = "c-1", lastSequence: Int) -> String {
        conversation(id: id).replacingOccurrences(of: #""last_sequence":0"#, with: #""last_sequence":\#(lastSequence)"#)
    }
}
