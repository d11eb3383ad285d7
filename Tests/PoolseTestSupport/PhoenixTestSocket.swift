import Foundation
import Logging
import NIOCore
import PoolseWire
import WSClient

/// A plain WebSocket client that writes raw Phoenix v2 frames as JSON text and reads what the
/// server sends, frame by frame, with bounded waits. Deliberately not the SDK, so one
/// misunderstanding of the protocol cannot hide on both sides.
package final class PhoenixTestSocket: Sendable {
    /// One frame from the server, read as a plain JSON array.
    package struct Frame: Sendable, CustomStringConvertible {
        package let raw: String
        package let joinRef: JSONValue
        package let ref: JSONValue
        package let topic: String
        package let event: String
        package let payload: JSONValue

        package var description: String { raw.count > 300 ? String(raw.prefix(300)) + "…" : raw }

        package init(_ raw: String) throws {
            let value = try WireCoding.decoder.decode(JSONValue.self, from: Data(raw.utf8))
            guard case .array(let items) = value, items.count == 5, let topic = items[2].stringValue,
                  let event = items[3].stringValue
            else { throw TestFailure("not a v2 frame: \(raw)") }
            self.raw = raw
            (joinRef, ref, self.topic, self.event, payload) = (items[0], items[1], topic, event, items[4])
        }
    }

    private let inbox: Inbox
    private let outbox: AsyncStream<String>.Continuation
    private let gate: Gate
    private let task: Task<Void, Never>

    private init(inbox: Inbox, outbox: AsyncStream<String>.Continuation, gate: Gate, task: Task<Void, Never>) {
        self.inbox = inbox
        self.outbox = outbox
        self.gate = gate
        self.task = task
    }

    /// Connects to `/socket/websocket?<query>`; throws when the upgrade is refused. With
    /// `reading: false` nothing is read until `startReading()`: a deliberately slow reader.
    package static func connect(port: Int, query: String, reading: Bool = true) async throws -> PhoenixTestSocket {
        let inbox = Inbox()
        let gate = Gate(open: reading)
        let (outgoing, outbox) = AsyncStream<String>.makeStream()
        let (outcome, outcomeInput) = AsyncStream<(any Error)?>.makeStream()
        var logger = Logger(label: "phoenix-test-socket")
        logger.logLevel = .critical
        let url = "ws://127.0.0.1:\(port)/socket/websocket?\(query)"
        let task = Task {
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 22), logger: logger
                ) { inbound, outbound, _ in
                    outcomeInput.yield(nil)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            await gate.wait()
                            for try await message in inbound.messages(maxSize: 1 << 22) {
                                if case .text(let text) = message { await inbox.put(text) }
                            }
                        }
                        group.addTask {
                            for await text in outgoing { try await outbound.write(.text(text)) }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                outcomeInput.yield(TestFailure("the socket did not open"))
            } catch {
                outcomeInput.yield(error)
            }
            await inbox.close()
        }
        var iterator = outcome.makeAsyncIterator()
        guard let first = await iterator.next() else { throw TestFailure("the socket did not open") }
        if let failure = first {
            task.cancel()
            throw failure
        }
        return PhoenixTestSocket(inbox: inbox, outbox: outbox, gate: gate, task: task)
    }

    // MARK: - Writing

    /// Sends text as is (for malformed frames).
    package func send(raw text: String) { outbox.yield(text) }

    /// Sends `[join_ref, ref, topic, event, payload]`; `payload` is JSON text.
    package func push(_ topic: String, _ event: String, joinRef: String? = nil, ref: String?, payload: String = "{}") {
        func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "null" }
        send(raw: "[\(quoted(joinRef)),\(quoted(ref)),\(quoted(topic)),\(quoted(event)),\(payload)]")
    }

    /// Joins and returns the reply (ok or error).
    @discardableResult
    package func join(_ topic: String, joinRef: String, payload: String = "{}") async throws -> Frame {
        push(topic, "phx_join", joinRef: joinRef, ref: joinRef, payload: payload)
        return try await expect { $0.event == "phx_reply" && $0.ref == .string(joinRef) }
    }

    /// Closes the socket from the client's side.
    package func close() {
        outbox.finish()
        gate.open()
    }

    /// Starts reading after a `reading: false` connect.
    package func startReading() { gate.open() }

    // MARK: - Reading

    /// The next frame; fails when none comes within `timeout` or the socket closes.
    package func next(timeout: Duration = .seconds(10)) async throws -> Frame {
        switch await inbox.next(timeout: timeout) {
        case .frame(let text): return try Frame(text)
        case .closed: throw TestFailure("the socket closed")
        case .timedOut: throw TestFailure("no frame within \(timeout)")
        }
    }

    /// Skips frames until one matches and returns it.
    package func expect(timeout: Duration = .seconds(10), _ matches: (Frame) -> Bool) async throws -> Frame {
        guard let match = try await collect(timeout: timeout, until: matches).last else {
            throw TestFailure("no matching frame")
        }
        return match
    }

    /// Skips frames until one with `event` (on `topic` when given) comes, and returns it.
    package func expect(_ event: String, topic: String? = nil, timeout: Duration = .seconds(10)) async throws -> Frame {
        try await expect(timeout: timeout) { $0.event == event && (topic == nil || $0.topic == topic) }
    }

    /// Every frame up to and including the first that matches. Anything that would have arrived
    /// before that one (the server delivers in order) is in the result, so this also shows what
    /// did *not* arrive, without waiting for a while.
    package func collect(timeout: Duration = .seconds(10), until matches: (Frame) -> Bool) async throws -> [Frame] {
        var frames: [Frame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw TestFailure("no matching frame within \(timeout); got \(frames)") }
            let frame: Frame
            switch await inbox.next(timeout: left) {
            case .frame(let text): frame = try Frame(text)
            case .closed: throw TestFailure("the socket closed before a matching frame; got \(frames)")
            case .timedOut: throw TestFailure("no matching frame within \(timeout); got \(frames)")
            }
            frames.append(frame)
            if matches(frame) { return frames }
        }
    }

    /// The `phx_reply` to the push with `ref`.
    package func reply(to ref: String, timeout: Duration = .seconds(10)) async throws -> Frame {
        try await expect(timeout: timeout) { $0.event == "phx_reply" && $0.ref == .string(ref) }
    }

    /// The next `presence_diff` that has leaves.
    package func expectPresenceLeave(timeout: Duration = .seconds(10)) async throws -> Frame {
        try await expect(timeout: timeout) { $0.event == "presence_diff" && $0.payload.member("leaves") != [:] }
    }

    /// Reads until the server closes the socket; returns the frames read on the way.
    @discardableResult
    package func expectClosed(timeout: Duration = .seconds(20)) async throws -> [Frame] {
        var frames: [Frame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw TestFailure("the socket stayed open for \(timeout)") }
            switch await inbox.next(timeout: left) {
            case .frame(let text): frames.append(try Frame(text))
            case .closed: return frames
            case .timedOut: throw TestFailure("the socket stayed open for \(timeout)")
            }
        }
    }

    /// Sends a heartbeat and waits for its reply: proof the socket is open and served.
    package func heartbeat(ref: String) async throws {
        push("phoenix", "heartbeat", ref: ref)
        let reply = try await expect { $0.event == "phx_reply" && $0.ref == .string(ref) }
        guard reply.topic == "phoenix", reply.payload == ["status": "ok", "response": [:]] else {
            throw TestFailure("unexpected heartbeat reply: \(reply)")
        }
    }

    deinit {
        outbox.finish()
        gate.open()
        task.cancel()
    }
}

/// Frames received and not yet read, with one bounded wait at a time.
private actor Inbox {
    enum Outcome: Sendable {
        case frame(String)
        case closed
        case timedOut
    }

    private var frames: [String] = []
    private var isClosed = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Outcome, Never>)?
    private var waiters = 0

    func put(_ text: String) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: .frame(text))
        } else {
            frames.append(text)
        }
    }

    func close() {
        isClosed = true
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: .closed)
        }
    }

    func next(timeout: Duration) async -> Outcome {
        if !frames.isEmpty { return .frame(frames.removeFirst()) }
        if isClosed { return .closed }
        waiters += 1
        let id = waiters
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: .timedOut)
    }
}

/// Holds the reader back until opened.
private actor Gate {
    private var isOpen: Bool
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(open: Bool) { isOpen = open }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    nonisolated func open() {
        Task { await self.release() }
    }

    private func release() {
        isOpen = true
        for waiter in waiting { waiter.resume() }
        waiting.removeAll()
    }
}
