import ArgumentParser
import Foundation
import Poolse
import PoolseChatUI
import PoolseServer
import PoolseState

/// `poolse chat`: the terminal chat client, signed in as one user.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat from the terminal as one user (full-screen; ? inside lists the keys and commands).",
        discussion: """
            Sign in one of three ways:
              --api-url URL --api-key KEY --as ID   a tenant API key mints the user's tokens (the user is \
            created when missing), as an app's backend would
              --api-url URL --token JWT            a token you already have
              --data-dir DIR --as ID               on the server's machine: mint a 24-hour token from its \
            database, like `poolse user token` (--api-url defaults to http://127.0.0.1:4000)
            """)

    @Option(name: .customLong("api-url"), help: "The server's URL, e.g. http://127.0.0.1:4000.")
    var apiURL: String?

    @Option(name: .customLong("api-key"), help: "A tenant API key (pk_live_…): mints tokens for --as.")
    var apiKey: String?

    @Option(name: .customLong("as"), help: "The external id of the user to chat as.")
    var externalID: String?

    @Option(help: "An end-user JWT to chat with (instead of --api-key or --data-dir).")
    var token: String?

    @Option(help: "Tenant id or name, with --data-dir (default: the only tenant).")
    var tenant: String?

    @Option(help: "A file for the offline store: the last state shows at once and unsent messages survive a restart.")
    var store: String?

    @OptionGroup var storage: StorageOptions

    private var usesDataDirectory: Bool { storage.dataDirectory != nil || storage.databaseURL != nil }

    func validate() throws {
        let ways = [apiKey != nil, token != nil, usesDataDirectory].filter { $0 }.count
        guard ways == 1 else {
            throw ValidationError("sign in with exactly one of --api-key, --token or --data-dir (see --help)")
        }
        if token == nil, externalID?.isEmpty ?? true { throw ValidationError("--as ID says which user to chat as") }
        if !usesDataDirectory, apiURL == nil { throw ValidationError("--api-url is needed with --api-key or --token") }
        if let apiURL, URL(string: apiURL)?.host == nil {
            throw ValidationError("--api-url must be a URL such as http://127.0.0.1:4000")
        }
    }

    func run() async throws {
        guard TerminalMode.isTerminal else { throw ChatStartError("poolse chat needs a terminal: run it in one, not with input or output redirected") }
        guard let url = URL(string: apiURL ?? "http://127.0.0.1:4000") else { throw ValidationError("bad --api-url") }
        let getToken = try await tokenSource(apiURL: url)
        let client = Poolse(PoolseConfiguration(apiURL: url, getToken: getToken))
        try await Self.chat(client: client, storePath: store.map { ($0 as NSString).expandingTildeInPath },
                            me: externalID ?? "")
    }

    @MainActor
    private static func chat(client: Poolse, storePath: String?, me: String) async throws {
        let offline = try storePath.map { try PoolseStore(path: $0) }
        try await ChatApp.run(session: PoolseSession(client: client, store: offline), me: me)
    }

    /// Where the client gets its JWT from.
    private func tokenSource(apiURL: URL) async throws -> @Sendable () async throws -> String? {
        if let token {
            return { token }
        }
        guard let externalID else { throw ValidationError("--as ID says which user to chat as") }
        if let apiKey {
            // As an app's backend does: the API key creates (or finds) the user and mints a
            // token whenever the SDK needs a new one.
            let backend = Poolse(PoolseConfiguration(apiURL: apiURL) { apiKey })
            return {
                let user: User = try await backend.rest.request(.post, "/v1/users", body: UserCreateRequest(externalId: externalID))
                let minted: TokenResponse = try await backend.rest.request(
                    .post, "/v1/users/" + user.id + "/tokens", body: TokenRequest(ttlSeconds: 3600))
                return minted.token
            }
        }
        // On the server's machine: one token, from the database, like `poolse user token`.
        let minted = try await storage.withApp { app -> TokenResponse in
            let name: String
            if let tenant { name = tenant } else {
                let all = try await app.admin.tenants()
                guard all.count == 1 else { throw ValidationError("pass --tenant: there are \(all.count) tenants") }
                name = all[0].id
            }
            return try await app.admin.userToken(tenant: name, externalId: externalID, ttlSeconds: 86_400)
        }
        return { minted.token }
    }
}

/// Why `poolse chat` could not start (printed without the usage text, which would not help).
struct ChatStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
