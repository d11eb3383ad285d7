import Foundation
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

    /// Runs `tmux -L socket ARGS` and returns its standard output.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.path())
        process.arguments = ["-L", socket, "-f", "/dev/null", "-u"] + arguments
        process.environment = Self.environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw TmuxError("tmux \(arguments.first ?? ""): \(text)") }
        return text
    }

    /// Runs a tmux command that may start the tmux server. Not through `Process`: the
    /// server daemon would inherit the descriptor `Process` watches for its child's end
    /// and keep it open for its whole life (so `waitUntilExit` never returns), and the test
    /// runner's blocked signals (so the programs in it could not be stopped by a signal).
    /// `posix_spawn` gives it /dev/null, nothing else, default signals and an empty mask.
    func spawnServer(_ arguments: [String]) throws {
        let argv = [try Self.path(), "-L", socket, "-f", "/dev/null", "-u"] + arguments
        let env = Self.environment.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
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
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw TmuxError("tmux could not start: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw TmuxError("tmux \(arguments.first ?? "") failed with status \(status)") }
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
