import ArgumentParser
import Foundation
import PoolseServer

/// Where the data is: every verb takes these, so admin commands reach the same database as `serve`.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: "Directory for the SQLite database and generated secrets (env POOLSE_DATA_DIR; default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"),
            help: "Database URL, e.g. sqlite:///var/lib/poolse/poolse.sqlite3 (env POOLSE_DATABASE_URL; default: SQLite in the data directory).")
    var databaseURL: String?

    @Option(name: .customLong("jwt-secrets"),
            help: "Token signing keys as kid:base64secret[,kid:base64secret]; the first signs (env POOLSE_JWT_SECRETS; default: generated once and kept in the database, shared by every node).")
    var jwtSecrets: String?

    @Option(name: .customLong("secrets-key"),
            help: "Seals the generated secrets kept in the database, ≥ 32 characters, the same on every node (env POOLSE_SECRETS_KEY; prefer the environment; default: stored unsealed).")
    var secretsKey: String?

    /// The configuration these options describe, on top of the environment and defaults.
    func configuration() -> ServerConfiguration {
        let env = ProcessInfo.processInfo.environment
        var configuration = ServerConfiguration()
        configuration.dataDirectory = dataDirectory ?? env["POOLSE_DATA_DIR"] ?? configuration.dataDirectory
        configuration.databaseURL = databaseURL ?? env["POOLSE_DATABASE_URL"]
        configuration.jwtSecrets = jwtSecrets ?? env["POOLSE_JWT_SECRETS"]
        configuration.secretsKey = secretsKey ?? env["POOLSE_SECRETS_KEY"]
        configuration.logLevel = .warning
        return configuration
    }

    /// Opens the app for an admin verb, runs `body`, and closes it.
    func withApp<T: Sendable>(_ body: (PoolseApp) async throws -> T) async throws -> T {
        let app = try await PoolseApp.open(configuration())
        do {
            let result = try await body(app)
            await app.close()
            return result
        } catch {
            await app.close()
            throw error
        }
    }
}
