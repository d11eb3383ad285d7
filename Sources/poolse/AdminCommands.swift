import ArgumentParser
import Foundation
import PoolseServer
import PoolseWire

/// `poolse tenant …`
struct Tenant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and list tenants.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant and print its first API key (shown once).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "The tenant's name.") var name: String

        func run() async throws {
            let (tenant, key) = try await storage.withApp { try await $0.admin.createTenant(name: name) }
            print("tenant \(tenant.name) created with id \(tenant.id)")
            print("API key (store it now; it is not shown again):")
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            for tenant in try await storage.withApp({ try await $0.admin.tenants() }) {
                print("\(tenant.id)  \(tenant.name)")
            }
        }
    }
}

/// `poolse key …`
struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke tenant API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a tenant (shown once).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Tenant id or name.") var tenant: String
        @Option(help: "A label to recognise the key by.") var label: String?

        func run() async throws {
            print(try await storage.withApp { try await $0.admin.createKey(tenant: tenant, label: label) })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's API keys (prefixes only).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Tenant id or name.") var tenant: String

        func run() async throws {
            for key in try await storage.withApp({ try await $0.admin.listKeys(tenant: tenant) }) {
                let state = key.revoked ? "revoked" : "active"
                print("\(key.id)  \(key.prefix)…  \(state)  \(WireTime.format(key.createdAt))  \(key.label ?? "")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key by id or listed prefix.")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Key id or prefix (pk_live_XXXXXXXX).") var key: String

        func run() async throws {
            try await storage.withApp { try await $0.admin.revokeKey(key) }
            print("revoked")
        }
    }
}

/// `poolse user token …`
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "End-user operations.", subcommands: [Token.self])

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JWT for the user with this external id (created if missing).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "The user's external id.") var externalId: String
        @Option(help: "Tenant id or name (default: the only tenant).") var tenant: String?
        @Option(help: "Lifetime in seconds (default 3600, at most 86400).") var ttl: Int = 3600

        func run() async throws {
            guard (1...86_400).contains(ttl) else { throw ValidationError("--ttl must be between 1 and 86400") }
            let token = try await storage.withApp { app -> TokenResponse in
                let name: String
                if let tenant { name = tenant } else {
                    let all = try await app.admin.tenants()
                    guard all.count == 1 else { throw ValidationError("pass --tenant: there are \(all.count) tenants") }
                    name = all[0].id
                }
                return try await app.admin.userToken(tenant: name, externalId: externalId, ttlSeconds: ttl)
            }
            print(token.token)
        }
    }
}
