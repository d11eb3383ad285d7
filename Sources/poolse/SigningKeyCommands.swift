import ArgumentParser
import PoolseServer

/// `poolse signing-key …`: rotation of the token signing keys kept in the database (when
/// `--jwt-secrets` is not given).
struct SigningKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing-key",
        abstract: "Rotate the token signing keys kept in the database.",
        subcommands: [Rotate.self, Retire.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new signing key in front; nodes sign with it after their next start, older keys keep verifying.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let kid = try await storage.withApp { try await $0.admin.rotateSigningKeys() }
            print("signing key \(kid) added; restart every node to sign with it")
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a signing key once the tokens it signed have expired (24 h at most).")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "The key id (kid) to remove.") var kid: String

        func run() async throws {
            try await storage.withApp { try await $0.admin.retireSigningKey(kid: kid) }
            print("signing key \(kid) removed; restart every node to stop accepting its tokens")
        }
    }
}
