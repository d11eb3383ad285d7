/// Wakes this node's idle outbound worker when a change committed here wrote jobs, so a push
/// or a webhook leaves at once instead of at the next poll. Jobs written by other nodes, and
/// retries falling due, are found by the poll (`OutboundConfiguration.pollInterval`).
final class OutboundSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let input: AsyncStream<Void>.Continuation

    init() {
        // One pending wake-up is enough: the worker claims everything due when it wakes.
        (stream, input) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func notify() { input.yield() }

    /// Returns at the first wake-up or after `timeout`, whichever comes first. One caller at a time.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { [stream] in
                var iterator = stream.makeAsyncIterator()
                _ = await iterator.next()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
