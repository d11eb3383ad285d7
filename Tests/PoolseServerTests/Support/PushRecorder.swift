@testable import PoolseServer

/// A `PushSender` that records every push and answers with the outcome set for its token
/// (`.delivered` by default): the push providers' transport seam, mocked.
actor PushRecorder: PushSender {
    private(set) var deliveries: [PushDelivery] = []
    private var outcomes: [String: PushOutcome] = [:]

    func answer(_ outcome: PushOutcome, forToken token: String) { outcomes[token] = outcome }

    func send(_ delivery: PushDelivery) async -> PushOutcome {
        deliveries.append(delivery)
        return outcomes[delivery.device.token] ?? .delivered
    }

    /// The alerts sent to `token`.
    func alerts(to token: String) -> [PushAlert] {
        deliveries.compactMap { delivery in
            guard delivery.device.token == token, case .alert(let alert) = delivery.content else { return nil }
            return alert
        }
    }
}
