import Foundation
import PoolseTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `poolse serve` as its own process, on a fixed loopback port and data directory, so a
/// test can take the server away and bring it back at the same address with the same data.
final class ServeProcess {
    let port: Int
    let dataDirectory: String
    /// The tenant's API key, made with `poolse tenant create`.
    let apiKey: String
    private var process: Process?

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init() throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-serve-\(UUID().uuidString)").path
        let created = try CommandLineTests.run(["tenant", "create", "e2e", "--data-dir", dataDirectory])
        guard let key = created.output.split(separator: "\n").first(where: { $0.hasPrefix("pk_live_") }) else {
            throw TmuxError("poolse tenant create printed no key: \(created.output)")
        }
        apiKey = String(key)
        port = try Self.freePort()
    }

    /// Starts the server and waits until it answers HTTP (up to 30 s).
    func start() async throws {
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TmuxError("poolse serve exited at start-up") }
            if (try? await URLSession.shared.data(from: url.appendingPathComponent("v1/me"))) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TmuxError("poolse serve did not answer on port \(port) within 30 s")
    }

    /// Kills the server at once, as a crash or a pulled cable would. SIGKILL, because a
    /// child of the test process inherits its blocked signals (SIGTERM included) on Linux.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Kills the server and removes its data.
    func remove() {
        kill()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TmuxError("no socket for a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw TmuxError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
