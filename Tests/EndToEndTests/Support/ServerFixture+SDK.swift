import Foundation
import Poolse
import PoolseTestSupport

extension ServerFixture {
    /// An SDK client for `externalId` on node 0, its tokens minted by the server's admin API.
    func client(for externalId: String, onSocketError: (@Sendable (any Error) -> Void)? = nil,
                configure: (inout PoolseConfiguration) -> Void = { _ in }) -> Poolse {
        var configuration = PoolseConfiguration(apiURL: url, onSocketError: onSocketError) { [self] in
            try await self.token(for: externalId)
        }
        configure(&configuration)
        return Poolse(configuration)
    }
}
