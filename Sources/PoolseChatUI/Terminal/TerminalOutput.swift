#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard output without buffering, retrying short writes and EINTR.
enum TerminalOutput {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                #if canImport(Glibc)
                return Glibc.write(1, base + offset, buffer.count - offset)
                #else
                return Darwin.write(1, base + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // the terminal is gone; nothing left to draw on
            }
            offset += written
        }
    }

    /// The terminal's size, or nil when it cannot tell.
    static func size() -> ScreenSize? {
        var window = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 else { return nil }
        return ScreenSize(columns: Int(window.ws_col), rows: Int(window.ws_row))
    }
}
