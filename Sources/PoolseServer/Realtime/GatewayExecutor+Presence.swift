/// What the outbound queue asks the gateway: who has a socket joined to a conversation,
/// anywhere in the cluster. Presence is announced between nodes (`GatewayCommand.presence…`),
/// so each node's gateway knows every node's sockets, within `presenceTimeout` of a node's death.
protocol ConversationPresence: Sendable {
    func presentUsers(conversationId: String) async -> Set<String>
}

extension GatewayExecutor: ConversationPresence {}
