import Hummingbird
import HummingbirdCore

extension PoolseApp {
    /// HTTP/1.1 with the realtime upgrade, each connection admitted against the connection cap
    /// and kept to the rules of `configuration.http` (timeouts, head limits).
    func server() -> HTTPServerBuilder {
        let http = configuration.http
        let rules = HTTPConnectionGuard.Rules(
            http, maxBodyBytes: max(Int64(configuration.limits.maxBodyBytes), configuration.limits.maxAttachmentBytes),
            docBaseURL: configuration.resolvedPublicURL)
        let http1 = HTTP1Channel.Configuration(httpDecoderConfiguration: .init(
            maxHeaderFieldSize: http.maxHeaderBytes, maxHeaderListSize: http.maxHeaderBytes,
            maxHeaderFieldCount: http.maxHeaderCount))
        let socketEndpoint = self.socketEndpoint
        let admission = connections
        return HTTPServerBuilder { responder in
            GuardedServerChannel(inner: socketEndpoint.childChannel(responder: responder, http1: http1),
                                 admission: admission, rules: rules)
        }
    }
}
