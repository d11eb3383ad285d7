import Foundation
import PoolseServer
import PoolseWire

/// The server a bench run drives: started in-process on the embedded default (a
/// temporary data directory, rate limits off), or an already running one given by
/// URL and API key (run it pinned to its own core; see docs/benchmarks.md).
final class BenchTarget: Sendable {
    let http: BenchHTTP
    let apiKey: String
    /// The server's process id, for CPU and memory figures (this process when in-process).
    let serverPID: Int32
    private let inProcess: (app: PoolseApp, task: Task<Void, any Error>, directory: String)?

    private init(http: BenchHTTP, apiKey: String, serverPID: Int32,
                 inProcess: (app: PoolseApp, task: Task<Void, any Error>, directory: String)?) {
        self.http = http
        self.apiKey = apiKey
        self.serverPID = serverPID
        self.inProcess = inProcess
    }

    var baseURL: String { http.baseURL }

    /// The server, when it runs in this process (scenarios that seed through the store need it).
    var app: PoolseApp? { inProcess?.app }

    /// Connects to a running server.
    static func remote(url: String, apiKey: String, serverPID: Int32?, connections: Int) -> BenchTarget {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        return BenchTarget(http: BenchHTTP(baseURL: base, connections: connections), apiKey: apiKey,
                           serverPID: serverPID ?? 0, inProcess: nil)
    }

    /// Starts a server in this process on a free loopback port.
    static func inProcess(databaseURL: String?, connections: Int) async throws -> BenchTarget {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-bench-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.databaseURL = databaseURL
        configuration.rateLimits.enabled = false
        configuration.logLevel = .critical
        configuration.limits.maxMembersPerConversation = 100_000
        configuration.limits.maxExternalIdsPerRequest = 10_000
        configuration.limits.maxProvisionedPerToken = 1_000_000
        let app = try await PoolseApp.open(configuration)
        let (_, key) = try await app.admin.createTenant(name: "bench")
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let task = Task { try await app.application(onListening: { sink.yield($0) }).run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return BenchTarget(http: BenchHTTP(baseURL: "http://127.0.0.1:\(port)", connections: connections), apiKey: key,
                           serverPID: getpid(), inProcess: (app, task, directory))
    }

    /// Creates (or fetches) users and mints a token for each.
    func users(_ externalIds: [String]) async throws -> [(user: User, token: String)] {
        try await withThrowingTaskGroup(of: (Int, User, String).self) { group in
            for (index, externalId) in externalIds.enumerated() {
                group.addTask { [self] in
                    let user = try await http.send(.POST, "/v1/users", token: apiKey,
                                                   body: UserCreateRequest(externalId: externalId), as: User.self)
                    let token = try await http.send(.POST, "/v1/users/\(user.id)/tokens", token: apiKey,
                                                    body: TokenRequest(ttlSeconds: 86_400), as: TokenResponse.self)
                    return (index, user, token.token)
                }
            }
            var result = [(user: User, token: String)?](repeating: nil, count: externalIds.count)
            for try await (index, user, token) in group { result[index] = (user, token) }
            return result.compactMap { $0 }
        }
    }

    /// One unlabelled value from the server's `/metrics`, or nil.
    func metric(_ name: String) async -> Double? {
        guard let text = try? await http.text("/metrics") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    func stop() async {
        await http.shutdown()
        if let inProcess {
            inProcess.task.cancel()
            _ = try? await inProcess.task.value
            await inProcess.app.close()
            try? FileManager.default.removeItem(atPath: inProcess.directory)
        }
    }
}
