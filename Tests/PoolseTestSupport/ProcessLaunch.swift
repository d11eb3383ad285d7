import Foundation

/// Starts child processes one at a time across the whole test run. Foundation's `Process.run()`
/// on Linux has crashed (a bad pointer in `memcpy`) when several tests launched processes at the
/// same moment (`poolse serve`, `moto_server`, `openssl`, tmux); launches are quick, so taking
/// turns costs nothing measurable. Every test that starts a process goes through here.
package enum ProcessLaunch {
    private static let lock = NSLock()

    /// `process.run()`, in turn with every other launch.
    package static func run(_ process: Process) throws {
        try serialized { try process.run() }
    }

    /// Runs `launch` (a `posix_spawn`, say) in turn with every other launch.
    package static func serialized<T>(_ launch: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try launch()
    }
}
