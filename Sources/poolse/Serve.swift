import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PoolseServer

/// `poolse serve`: runs the server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (REST /v1).")

    @OptionGroup var storage: StorageOptions
    @OptionGroup var attachments: AttachmentOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var calls: CallOptions
    @OptionGroup var push: PushOptions

    @Option(help: "Interface to listen on (env POOLSE_HOST; default 127.0.0.1; 0.0.0.0 for every interface).")
    var host: String?

    @Option(help: "Port to listen on (env POOLSE_PORT; default 4000).")
    var port: Int?

    @Option(name: .customLong("public-url"),
            help: "Base URL clients reach the server at, used in error doc links (env POOLSE_PUBLIC_URL).")
    var publicURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env POOLSE_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body in bytes (env POOLSE_MAX_BODY_BYTES; default 1048576).")
    var maxBodyBytes: Int?

    @Option(name: .customLong("max-message-length"), help: "Longest message body in characters (env POOLSE_MAX_MESSAGE_LENGTH; default 8000).")
    var maxMessageLength: Int?

    @Option(name: .customLong("rate-limit-scale"),
            help: "Multiply every per-user rate limit by this factor; 0 turns rate limiting off (env POOLSE_RATE_LIMIT_SCALE; default 1).")
    var rateLimitScale: Double?

    @Option(name: .customLong("database-pool-size"),
            help: "Most PostgreSQL connections this node opens (env POOLSE_DATABASE_POOL_SIZE; default 10).")
    var databasePoolSize: Int?

    @Option(name: .customLong("sqlite-synchronous"),
            help: "normal (survives a crash of the process) or full (also a power loss) (env POOLSE_SQLITE_SYNCHRONOUS; default normal).")
    var sqliteSynchronous: String?

    @Flag(name: .customLong("allow-private-webhooks"),
          help: "Let webhook URLs point at loopback, private and link-local addresses; off by default as an SSRF guard (env POOLSE_ALLOW_PRIVATE_WEBHOOKS=true).")
    var allowPrivateWebhooks = false

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var configuration = storage.configuration()
        configuration.host = host ?? env["POOLSE_HOST"] ?? configuration.host
        configuration.port = port ?? env["POOLSE_PORT"].flatMap(Int.init) ?? configuration.port
        configuration.publicURL = publicURL ?? env["POOLSE_PUBLIC_URL"]
        configuration.logLevel = (logLevel ?? env["POOLSE_LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) ?? .info
        if let value = maxBodyBytes ?? env["POOLSE_MAX_BODY_BYTES"].flatMap(Int.init) { configuration.limits.maxBodyBytes = value }
        if let value = maxMessageLength ?? env["POOLSE_MAX_MESSAGE_LENGTH"].flatMap(Int.init) {
            configuration.limits.maxMessageLength = value
        }
        if let scale = rateLimitScale ?? env["POOLSE_RATE_LIMIT_SCALE"].flatMap(Double.init) {
            if scale <= 0 { configuration.rateLimits.enabled = false } else {
                configuration.rateLimits = configuration.rateLimits.scaled(by: scale)
            }
        }
        if let size = databasePoolSize ?? env["POOLSE_DATABASE_POOL_SIZE"].flatMap(Int.init) {
            guard size >= 1 else { throw ValidationError("--database-pool-size must be at least 1") }
            configuration.databasePoolSize = size
        }
        configuration.sqliteSynchronous = sqliteSynchronous ?? env["POOLSE_SQLITE_SYNCHRONOUS"] ?? "normal"
        configuration.outbound.allowPrivateWebhooks = allowPrivateWebhooks
            || ["1", "true", "yes"].contains(env["POOLSE_ALLOW_PRIVATE_WEBHOOKS"]?.lowercased() ?? "")
        try attachments.apply(to: &configuration)
        try http.apply(to: &configuration)
        try calls.apply(to: &configuration)
        push.apply(to: &configuration)

        let app = try await PoolseApp.open(configuration)
        if try await app.isEmpty() {
            print("""
                This database has no tenant yet. Create one and its API key with:
                  swift run poolse tenant create my-app --data-dir \(configuration.dataDirectory)
                """)
        }
        let url = "http://\(configuration.host):\(configuration.port)"
        print("poolse listening on \(url) (REST \(url)/v1, health \(url)/healthz)")
        do {
            try await app.application().runService()
        } catch {
            await app.close()
            throw error
        }
        await app.close()
    }
}
