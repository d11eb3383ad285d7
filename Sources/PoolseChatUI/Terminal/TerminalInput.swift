import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal tells the app: a key, or a new size.
public enum TerminalEvent: Sendable {
    /// A key press.
    case key(Key)
    /// The terminal's new size (SIGWINCH).
    case resized(ScreenSize)
}

/// Reads standard input on a thread of its own (a blocking `read` would hold a Swift
/// concurrency thread) and watches SIGWINCH, and hands both out as one stream.
enum TerminalInput {
    /// How long a lone ESC waits for the rest of an escape sequence before it counts as
    /// the Escape key; sequences from a terminal arrive together, far faster than this.
    static let escapeWait: Int32 = 40  // milliseconds

    static func events() -> AsyncStream<TerminalEvent> {
        let (stream, continuation) = AsyncStream<TerminalEvent>.makeStream()
        let reader = Thread {
            var parser = KeyParser()
            var buffer = [UInt8](repeating: 0, count: 1024)
            while true {
                if parser.hasPending {
                    var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                    if poll(&descriptor, 1, escapeWait) == 0 {
                        parser.flush().forEach { continuation.yield(.key($0)) }
                        continue
                    }
                }
                let count = read(0, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    // The terminal went away (hang-up): end as if the user quit.
                    continuation.yield(.key(.control("c")))
                    continuation.finish()
                    return
                }
                parser.feed(buffer[0..<count]).forEach { continuation.yield(.key($0)) }
            }
        }
        reader.name = "poolse-chat-keys"
        reader.start()

        signal(SIGWINCH, SIG_IGN)  // delivered to the dispatch source instead
        let resizes = SignalSource(DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .main))
        resizes.source.setEventHandler {
            if let size = TerminalOutput.size() { continuation.yield(.resized(size)) }
        }
        resizes.source.resume()
        continuation.onTermination = { _ in resizes.source.cancel() }
        return stream
    }
}

/// A dispatch signal source, which is safe to cancel from any thread (Dispatch does not
/// mark it Sendable).
private final class SignalSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
