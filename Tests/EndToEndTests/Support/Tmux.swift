import Foundation
import PoolseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private tmux server (its own socket, no config) for driving terminal programs in
/// tests: start sessions, type into them, read their screens. Without tmux the tests that
/// need it are skipped, except under `CI=true`, where they run and fail: CI must never
/// silently skip them (`.ci/run` installs tmux).
struct Tmux {
    /// `-L` socket name, unique per test.
    let socket = "poolse-test-\(UUID().uuidString.prefix(8))"

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Where tmux is on the PATH, if anywhere.
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the tmux tests run: tmux is installed, or this is CI (where a missing tmux fails).
    static var shouldRun: Bool { executable != nil || isCI }

    /// Runs `tmux -L socket ARGS` and returns what it printed.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let (status, output) = try spawn(arguments, captureOutput: true)
        guard status == 0 else { throw TmuxError("tmux \(arguments.first ?? ""): \(output)") }
        return output
    }

    /// Runs a tmux command that may start the tmux server, with /dev/null for its output:
    /// the server daemon keeps whatever it was given open for its whole life.
    func spawnServer(_ arguments: [String]) throws {
        let (status, _) = try spawn(arguments, captureOutput: false)
        guard status == 0 else { throw TmuxError("tmux \(arguments.first ?? "") failed with status \(status)") }
    }

    /// `posix_spawn`, not Foundation's `Process`: `Process` watches a descriptor that the
    /// tmux server daemon would inherit and hold (so `waitUntilExit` never returns), its
    /// `run()` is not safe to call from several threads at once on Linux (a crash seen in
    /// a full test run), and it passes on the test runner's blocked signals. Here the child
    /// gets /dev/null or a socket pair created close-on-exec (no other child inherits it), default
    /// signal handling and an empty signal mask.
    private func spawn(_ arguments: [String], captureOutput: Bool) throws -> (status: Int32, output: String) {
        var argv = [try Self.path(), "-L", socket, "-f", "/dev/null", "-u"] + arguments
        if !captureOutput {
            // The server lives on: it must not hold any descriptor of the test process
            // (another test's pipe would never see its end), so a shell closes every
            // descriptor above 2 before it becomes tmux.
            argv = ["/bin/bash", "-c", #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$@""#,
                    "sh"] + argv
        }
        let env = Self.environment.map { "\($0.key)=\($0.value)" }
        var pipeEnds: [Int32] = [-1, -1]
        // A socket pair rather than pipe(): it can be made close-on-exec atomically.
        if captureOutput, socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeEnds) != 0 {
            throw TmuxError("no socket pair: errno \(errno)")
        }
        defer { pipeEnds.filter { $0 >= 0 }.forEach { close($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = env.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid = pid_t()
        let spawned = ProcessLaunch.serialized { posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment) }
        guard spawned == 0 else { throw TmuxError("tmux could not start: errno \(spawned)") }
        var output: [UInt8] = []
        if captureOutput {
            close(pipeEnds[1])
            pipeEnds[1] = -1
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                output += buffer[0..<count]
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status, String(decoding: output, as: UTF8.self))
    }

    private static func path() throws -> String {
        guard let executable else { throw TmuxError("tmux is not installed; run: apt-get install tmux") }
        return executable
    }

    private static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["TMUX"] = nil  // also when the tests themselves run inside tmux
        return environment
    }

    /// A detached session of `columns`×`rows` running `command` (a shell command line).
    func start(_ name: String, columns: Int, rows: Int, command: String) throws {
        try spawnServer(["new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows),
                         "-e", "LANG=C.UTF-8", command])
    }

    /// Types `text` literally into a session.
    func type(_ name: String, _ text: String) throws { try run(["send-keys", "-t", name, "-l", text]) }

    /// Presses one named key (`Enter`, `Up`, `C-c`, …).
    func press(_ name: String, _ key: String) throws { try run(["send-keys", "-t", name, key]) }

    /// What the session's screen shows now.
    func screen(_ name: String) throws -> String { try run(["capture-pane", "-p", "-t", name]) }

    /// Waits until the screen of `name` satisfies `condition` (polling, up to `timeout`), and returns it.
    /// - Throws: ``TmuxError`` with the last screen when it never does.
    @discardableResult
    func waitFor(_ name: String, _ what: String, timeout: Duration = .seconds(30),
                 _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await Self.offThePool { try screen(name) }
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TmuxError("\(name)'s screen never showed \(what); it shows:\n\(last)")
    }

    /// Runs a blocking call (a child process and its pipe) on a dispatch thread, so polling
    /// a screen for half a minute does not hold one of the few Swift concurrency threads
    /// the other tests of the run share.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Ends the server and every program in it.
    func stop() { _ = try? run(["kill-server"]) }
}

struct TmuxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
