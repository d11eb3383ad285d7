import Foundation
import Logging
import NIOCore
import WSClient

/// One load-generator WebSocket speaking Phoenix v2 just enough for the bench: it joins
/// topics and hands every text frame to `onText` on the socket's own task. It does not
/// decode JSON per frame (the load generator must stay cheaper than the server).
final class BenchSocket: Sendable {
    private let outbox: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    private init(outbox: AsyncStream<String>.Continuation, task: Task<Void, Never>) {
        self.outbox = outbox
        self.task = task
    }

    /// Connects to `<base>/socket/websocket?token=…&vsn=2.0.0`; returns once the upgrade succeeded.
    static func connect(baseURL: String, token: String, onText: @escaping @Sendable (String) -> Void) async throws -> BenchSocket {
        let wsBase = baseURL.replacingOccurrences(of: "http://", with: "ws://")
        let url = "\(wsBase)/socket/websocket?token=\(token)&vsn=2.0.0"
        let (outgoing, outbox) = AsyncStream<String>.makeStream()
        let (opened, openedInput) = AsyncStream<(any Error)?>.makeStream()
        var logger = Logger(label: "poolse-bench-socket")
        logger.logLevel = .critical
        let task = Task {
            do {
                try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 24), logger: logger) {
                    inbound, outbound, _ in
                    openedInput.yield(nil)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await message in inbound.messages(maxSize: 1 << 24) {
                                if case .text(let text) = message { onText(text) }
                            }
                        }
                        group.addTask {
                            for await text in outgoing { try await outbound.write(.text(text)) }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                openedInput.yield(BenchHTTP.Failure(description: "socket closed before opening"))
            } catch {
                openedInput.yield(error)
            }
        }
        var iterator = opened.makeAsyncIterator()
        if let failure = await iterator.next() ?? BenchHTTP.Failure(description: "socket did not open") {
            task.cancel()
            throw failure
        }
        return BenchSocket(outbox: outbox, task: task)
    }

    /// Sends `phx_join` for `topic` with `joinRef` as both refs.
    func join(_ topic: String, joinRef: String) {
        outbox.yield(#"["\#(joinRef)","\#(joinRef)","\#(topic)","phx_join",{}]"#)
    }

    /// Sends a heartbeat.
    func heartbeat(ref: String) { outbox.yield(#"[null,"\#(ref)","phoenix","heartbeat",{}]"#) }

    func close() {
        outbox.finish()
        task.cancel()
    }
}

extension BenchSocket {
    /// Opens one socket per token, 32 connects in flight, joins `topic(index)` on each, and
    /// hands every frame to `recorder`.
    static func connectAll(tokens: [String], baseURL: String, topic: @escaping @Sendable (Int) -> String,
                           recorder: DeliveryRecorder, progress: Progress) async throws -> [BenchSocket] {
        try await withThrowingTaskGroup(of: [BenchSocket].self) { group in
            let lanes = 32
            for lane in 0..<lanes {
                group.addTask {
                    var mine: [BenchSocket] = []
                    for index in stride(from: lane, to: tokens.count, by: lanes) {
                        let socket = try await connect(baseURL: baseURL, token: tokens[index]) { recorder.handle($0) }
                        socket.join(topic(index), joinRef: "1")
                        mine.append(socket)
                        await progress.add()
                    }
                    return mine
                }
            }
            var all: [BenchSocket] = []
            for try await some in group { all += some }
            return all
        }
    }
}

/// Send timestamps ride in message bodies as `t=<monotonic ns>`; the receiver in the same
/// process reads the same clock, so latency needs no clock sync.
enum BenchStamp {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func body(sequence: Int) -> String { "t=\(now());n=\(sequence)" }

    /// The send time in a `message:new` frame's text, found without decoding the JSON.
    static func sendTime(inFrame text: String) -> UInt64? {
        guard text.contains("\"message:new\""), let marker = text.range(of: "\"body\":\"t=") else { return nil }
        let digits = text[marker.upperBound...].prefix { $0.isNumber }
        return UInt64(digits)
    }
}
