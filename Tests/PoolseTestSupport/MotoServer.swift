import AsyncHTTPClient
import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Shared by the server and end-to-end tests: a throwaway S3-compatible server (`moto_server`, PyPI `moto[server]`) on a free loopback
/// port, for the S3 blob store tests. Without `moto_server` those tests are skipped, except
/// under `CI=true`, where they run and fail: CI must never silently skip them.
public final class MotoServer: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let endpoint: String
    private let process: Process

    private init(endpoint: String, process: Process) {
        self.endpoint = endpoint
        self.process = process
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Where `moto_server` is on the PATH, if anywhere.
    public static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/moto_server" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the S3 tests run: moto is installed, or this is CI (where a missing moto fails).
    public static var shouldRun: Bool { executable != nil || isCI }

    /// Starts moto and waits until it answers HTTP (up to 30 s).
    public static func start() async throws -> MotoServer {
        guard let executable else {
            throw MotoError("moto_server is not installed; run: pip install 'moto[server]'")
        }
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        let server = MotoServer(endpoint: "http://127.0.0.1:\(port)", process: process)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw MotoError("moto_server exited at start-up") }
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: server.endpoint + "/"),
                                                                   timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return server
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        server.stop()
        throw MotoError("moto_server did not answer on port \(port) within 30 s")
    }

    /// Stops the server and waits for it to exit. SIGKILL, because a child of the test
    /// process inherits its blocked-signal mask (SIGTERM included) on Linux and moto
    /// would never see a SIGTERM.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Runs `body` with a fresh moto, stopping it afterwards whatever happens.
    public static func with<T: Sendable>(_ body: (MotoServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// A port nothing listens on right now (bind to port 0, read it back, release it).
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close().get()
        guard port > 0 else { throw MotoError("no free port") }
        return port
    }
}

public struct MotoError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
