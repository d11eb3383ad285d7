import Foundation
import NIOConcurrencyHelpers
import NIOCore

@testable import PoolseServer

/// A tenant's endpoint for the before-send hook (and anything signed the same way): plain HTTP on
/// loopback, it checks `Poolse-Signature` against `secret`, records each call and answers from a
/// script (then `{action: "allow"}`).
///
/// ```swift
/// let receiver = HookReceiver(secret: "a-shared-secret-1234")
/// try await receiver.start()      // receiver.url
/// receiver.script([.reject("spam")])
/// ```
final class HookReceiver: Sendable {
    /// One call.
    struct Call: Sendable {
        let request: StandInRequest
        let signatureValid: Bool
        var json: [String: Any] { request.jsonObject ?? [:] }
    }

    /// A scripted answer.
    struct Answer: Sendable {
        let response: StandInResponse
        static let allow = Answer.json(["action": "allow"])
        static func reject(_ reason: String?) -> Answer {
            var object: [String: Any] = ["action": "reject"]
            if let reason { object["reason"] = reason }
            return .json(object)
        }
        static func modify(_ body: String) -> Answer { .json(["action": "modify", "body": body]) }
        /// Answers `allow`, but only after `delay`.
        static func slow(_ delay: TimeAmount) -> Answer {
            var response = Answer.allow.response
            response.delay = delay
            return Answer(response: response)
        }
        static let serverError = Answer(response: StandInResponse(status: 500))
        static let garbage = Answer(response: StandInResponse(status: 200, headers: ["content-type": "application/json"],
                                                              body: Data("{\"verdict\": 1}".utf8)))
        static func json(_ object: [String: Any]) -> Answer { Answer(response: .json(200, object)) }
    }

    private struct State {
        var script: [Answer] = []
        var calls: [Call] = []
    }

    let secret: String
    private let state = NIOLockedValueBox(State())
    private let server = NIOLockedValueBox<LoopbackHTTPServer?>(nil)

    init(secret: String) { self.secret = secret }

    func start() async throws {
        let server = LoopbackHTTPServer(mode: .http1) { [self] in answer($0) }
        try await server.start()
        self.server.withLockedValue { $0 = server }
    }

    func stop() async { await server.withLockedValue { $0 }?.stop() }

    /// `http://127.0.0.1:<port>/hook`.
    var url: String { "http://127.0.0.1:\(server.withLockedValue { $0?.port } ?? 0)/hook" }

    func script(_ answers: [Answer]) { state.withLockedValue { $0.script.append(contentsOf: answers) } }

    var calls: [Call] { state.withLockedValue { $0.calls } }

    private func answer(_ request: StandInRequest) -> StandInResponse {
        let timestamp = Int64(request.headers["poolse-timestamp"] ?? "") ?? -1
        let expected = "v1=" + HookSignature.signature(body: request.body, secret: secret, timestamp: timestamp)
        let valid = request.headers["poolse-signature"] == expected
        return state.withLockedValue { state in
            state.calls.append(Call(request: request, signatureValid: valid))
            return (state.script.isEmpty ? .allow : state.script.removeFirst()).response
        }
    }
}
