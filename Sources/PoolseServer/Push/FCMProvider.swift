import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends pushes through FCM's HTTP v1 API with a service account's access token.
struct FCMProvider: Sendable {
    let http: OutboundHTTPClient
    let baseURL: String

    init(http: OutboundHTTPClient, configuration: PushConfiguration) {
        self.http = http
        baseURL = APNsProvider.trimmed(configuration.fcmURL)
    }

    /// Sends one push; a refused access token is renewed and the push sent once more.
    func send(_ delivery: PushDelivery, projectId: String, tokens: FCMAccessTokens) async -> PushOutcome {
        let body: Data
        do { body = try FCMMessage.body(for: delivery) } catch { return .failed(reason: "the FCM message could not be encoded") }
        for attempt in 1...2 {
            let accessToken: String
            do {
                accessToken = try await tokens.token()
            } catch let failure as FCMAccessTokens.Failure {
                return failure.transient ? .retry(after: nil, reason: failure.reason) : .failed(reason: failure.reason)
            } catch {
                return .failed(reason: "the service account can't sign")
            }
            var request = HTTPClientRequest(url: "\(baseURL)/v1/projects/\(projectId)/messages:send")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer " + accessToken)
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response: OutboundHTTPClient.Response
            do {
                response = try await http.execute(request)
            } catch {
                return .retry(after: nil, reason: "FCM unreachable: \(error)")
            }
            switch FCMResponse.interpret(status: response.status, body: response.body,
                                         retryAfter: response.headers.first(name: "retry-after")) {
            case .outcome(let outcome): return outcome
            case .renewAccessToken where attempt == 1: await tokens.invalidate(accessToken)
            case .renewAccessToken: break
            }
        }
        return .failed(reason: "FCM 401 with a fresh access token")
    }
}
