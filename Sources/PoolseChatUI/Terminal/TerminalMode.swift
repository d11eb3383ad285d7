#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal's settings while the chat runs: raw mode (keys arrive one by one, no
/// echo, Ctrl-C as a byte), the alternate screen (the shell's screen comes back on exit),
/// and the way back to how it was, on a normal exit, on a signal and on a crash.
///
/// The saved settings are globals because a signal handler cannot reach anything else;
/// the handler uses only async-signal-safe calls (`tcsetattr`, `write`, `signal`, `raise`).
public enum TerminalMode {
    /// Errors while entering raw mode.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Whether standard input and output are a terminal.
    public static var isTerminal: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// Saves the settings, enters raw mode and the alternate screen, and installs the
    /// handlers that restore them when the process is killed or crashes.
    /// - Throws: ``Failure`` when standard input is not a terminal.
    public static func enter() throws(Failure) {
        guard isTerminal else { throw Failure(description: "poolse chat needs a terminal (standard input and output)") }
        var original = termios()
        guard tcgetattr(0, &original) == 0 else { throw Failure(description: "cannot read the terminal's settings") }
        savedSettings = original
        hasSavedSettings = 1
        var raw = original
        // cfmakeraw, minus output processing so "\n" still returns the carriage (harmless:
        // the screen is drawn with absolute cursor moves).
        raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        raw.c_cflag &= ~tcflag_t(CSIZE | PARENB)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSAFLUSH, &raw) == 0 else { throw Failure(description: "cannot switch the terminal to raw mode") }
        let handled = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP]
        for signal in handled { installRestoringHandler(signal) }
        // A parent may have blocked signals for its children (a test runner does): the
        // handlers and the resize watch need them delivered. One unblocking thread is enough.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in handled + [SIGWINCH] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        TerminalOutput.write(enterSequence)
    }

    /// Leaves the alternate screen and puts the saved settings back. Safe to call twice.
    public static func restore() {
        restoreFromAnywhere()
    }

    /// Enter the alternate screen, clear it, and turn off line wrapping at the right edge
    /// (a full-width line must not push the cursor to the next row).
    static let enterSequence = "\u{1B}[?1049h\u{1B}[2J\u{1B}[?7l"
    /// Wrapping back on, cursor shown, the normal screen back.
    static let leaveSequence = "\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    private static func installRestoringHandler(_ signalNumber: Int32) {
        guard signalNumber > 0, signalNumber < signalSlots else { return }
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = restoringSignalHandler
        #else
        action.__sigaction_u.__sa_handler = restoringSignalHandler
        #endif
        sigemptyset(&action.sa_mask)
        // The handler in place before (Swift's crash backtracer, or the default) is kept, to
        // be put back and run once the terminal is restored.
        sigaction(signalNumber, &action, previousActions + Int(signalNumber))
    }
}

/// Room for every signal number's previous action.
private let signalSlots: Int32 = 65
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let slots = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(signalSlots))
    slots.initialize(repeating: sigaction(), count: Int(signalSlots))
    return slots
}()

nonisolated(unsafe) private var savedSettings = termios()
/// 1 while raw mode is on; a plain Int32 so the signal handler can test and clear it.
nonisolated(unsafe) private var hasSavedSettings: Int32 = 0

/// Restores the terminal; async-signal-safe, so a signal handler may call it.
private func restoreFromAnywhere() {
    guard hasSavedSettings == 1 else { return }
    hasSavedSettings = 0
    TerminalMode.leaveSequence.utf8CString.withUnsafeBufferPointer { bytes in
        _ = write(1, bytes.baseAddress, bytes.count - 1)
    }
    _ = tcsetattr(0, TCSAFLUSH, &savedSettings)
}

/// Restores the terminal, then lets the signal do what it would have done without us: the
/// previous action goes back in place and the signal is raised again (exit, or Swift's
/// crash report and a core).
private func restoringSignalHandler(_ signalNumber: Int32) {
    restoreFromAnywhere()
    sigaction(signalNumber, previousActions + Int(signalNumber), nil)
    raise(signalNumber)
}
