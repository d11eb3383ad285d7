/// Caps how many users one end-user token may create by naming unknown external ids
/// (PROTOCOL.md §3: lazy provisioning with a per-token cap). Counted per node in memory;
/// tokens live at most a day, so forgetting counts on restart only ever loosens the cap
/// by one node's worth.
actor ProvisionBudget {
    private let limit: Int
    private var used: [String: Int] = [:]

    init(limit: Int) { self.limit = limit }

    /// Reserves `count` provisions for `tokenId`, or throws when that would pass the cap.
    func reserve(_ count: Int, tokenId: String) throws {
        guard count > 0 else { return }
        let current = used[tokenId, default: 0]
        guard current + count <= limit else {
            throw DomainError.validation(
                "member_external_ids", "would create more than \(limit) new users with one token")
        }
        used[tokenId] = current + count
    }
}
