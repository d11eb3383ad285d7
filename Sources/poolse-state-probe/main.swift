// A test helper, not a product: a process that holds a PoolseStore and queues sends, so
// PoolseStateTests can kill it with SIGKILL mid-write and relaunch on the same file.
//
// poolse-state-probe <store path> <api url> <token> <conversation id> <count>
// Queues the sends in bursts of 20 (no suspension inside a burst, so the outbox is behind
// by up to a burst) and prints `queued <i> <client id>` as each is in the store, then
// waits to be killed.
import Foundation
import PoolseState

@MainActor
func runProbe(_ arguments: [String]) async throws {
    guard arguments.count == 6, let apiURL = URL(string: arguments[2]), let count = Int(arguments[5]) else {
        FileHandle.standardError.write(Data("usage: poolse-state-probe STORE API_URL TOKEN CONVERSATION COUNT\n".utf8))
        exit(64)
    }
    let token = arguments[3]
    let store = try PoolseStore(path: arguments[1])
    let session = PoolseSession(client: Poolse(PoolseConfiguration(apiURL: apiURL) { token }), store: store)
    let feed = MessageListModel(session: session, conversationID: arguments[4])
    for index in 0..<count {
        let id = try feed.send("probe \(index)")
        FileHandle.standardOutput.write(Data("queued \(index) \(id)\n".utf8))
        if index % 20 == 19 { try await Task.sleep(for: .milliseconds(100)) }
    }
    while true { try await Task.sleep(for: .seconds(60)) }
}

try await runProbe(CommandLine.arguments)
