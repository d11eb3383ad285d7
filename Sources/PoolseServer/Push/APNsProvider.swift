import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends pushes to Apple: picks the host by the device's environment (or the tenant's forced
/// one), signs with the tenant's provider token and maps the answer (`APNsResponse`).
struct APNsProvider: Sendable {
    let http: OutboundHTTPClient
    let productionURL: String
    let sandboxURL: String
    let now: @Sendable () -> Date

    init(http: OutboundHTTPClient, configuration: PushConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        productionURL = configuration.apnsProductionURL
        sandboxURL = configuration.apnsSandboxURL
        self.now = now
    }

    /// Sends one push; a token APNs calls expired is renewed and the push sent once more.
    func send(_ delivery: PushDelivery, credentials: APNsCredentials, signer: APNsTokenSigner) async -> PushOutcome {
        let request: APNsRequest
        do {
            request = try APNsRequest.make(delivery, bundleId: credentials.bundleId, now: now())
        } catch let mismatch as APNsRequest.Mismatch {
            return .failed(reason: mismatch.reason)
        } catch {
            return .failed(reason: "the APNs payload could not be encoded")
        }
        let base = (credentials.environment ?? delivery.device.environment) == .sandbox ? sandboxURL : productionURL
        for attempt in 1...2 {
            let token: String
            do { token = try await signer.token() } catch { return .failed(reason: "the APNs key can't sign") }
            var http = HTTPClientRequest(url: Self.trimmed(base) + request.path)
            http.method = .POST
            http.headers.add(name: "authorization", value: "bearer " + token)
            http.headers.add(name: "content-type", value: "application/json")
            for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: name, value: value) }
            http.body = .bytes(ByteBuffer(bytes: request.body))
            let response: OutboundHTTPClient.Response
            do {
                response = try await self.http.execute(http)
            } catch {
                return .retry(after: nil, reason: "APNs unreachable: \(error)")
            }
            switch APNsResponse.interpret(status: response.status, body: response.body,
                                          retryAfter: response.headers.first(name: "retry-after")) {
            case .outcome(let outcome): return outcome
            case .renewToken where attempt == 1: await signer.renew(rejected: token)
            case .renewToken: return .failed(reason: "APNs 403 ExpiredProviderToken after renewing the token")
            }
        }
        return .failed(reason: "APNs 403 ExpiredProviderToken after renewing the token")
    }

    static func trimmed(_ base: String) -> String { base.hasSuffix("/") ? String(base.dropLast()) : base }
}
