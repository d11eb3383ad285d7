import NIOConcurrencyHelpers
import NIOCore

/// The address the HTTP server actually bound (port 0 picks one at start), so URLs the
/// server hands out for itself work when no public URL is configured.
final class ListeningAddress: Sendable {
    private let url = NIOLockedValueBox<String?>(nil)

    /// `http://ip:port` once the server listens; a wildcard address becomes loopback.
    var baseURL: String? { url.withLockedValue { $0 } }

    func record(_ address: SocketAddress?) {
        guard let address, let port = address.port, var ip = address.ipAddress else { return }
        if ip == "0.0.0.0" { ip = "127.0.0.1" }
        if ip == "::" { ip = "::1" }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        url.withLockedValue { $0 = "http://\(host):\(port)" }
    }
}
