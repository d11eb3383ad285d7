import ArgumentParser

/// `poolse`: the server and its operator verbs.
@main
struct PoolseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poolse",
        abstract: "poolse-swift: a self-hostable chat server for the Poolse Swift SDK.",
        subcommands: [Serve.self, Tenant.self, Key.self, UserCommand.self, SigningKeyCommand.self, BenchCommand.self, Demo.self, Chat.self],
        defaultSubcommand: Serve.self)
}
