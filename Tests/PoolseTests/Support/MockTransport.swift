import Foundation
@testable import Poolse

/// An `HTTPTransport` that plays a script and records every request it was given.
actor MockTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(TransportResponse)
        case fail(any Error)
        /// Never answers: stays in flight until the calling task is cancelled.
        case hang
        /// Stays in flight until the calling task is cancelled, then fails with this
        /// error instead of `CancellationError`, as some transports do.
        case hangThenFail(any Error)
    }

    private var script: [Step]
    private let fallback: Step
    private(set) var requests: [TransportRequest] = []
    /// Opened when a request arrives, so a test can act while it is in flight.
    nonisolated let received = Gate()

    /// Plays `script` in order, then `fallback` for every further request.
    init(_ script: [Step] = [], fallback: Step = .respond(.json(200, "{}"))) {
        self.script = script
        self.fallback = fallback
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        requests.append(request)
        received.open()
        let step = script.isEmpty ? fallback : script.removeFirst()
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case .hang:
            try await suspendUntilCancelled()
            throw CancellationError()
        case .hangThenFail(let error):
            try? await suspendUntilCancelled()
            throw error
        }
    }

    var requestCount: Int { requests.count }

    var lastRequest: TransportRequest? { requests.last }
}

extension TransportResponse {
    /// A JSON response.
    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> TransportResponse {
        TransportResponse(statusCode: status, headers: ["Content-Type": "application/json"].merging(headers) { $1 },
                          body: Data(body.utf8))
    }

    /// The protocol's error envelope.
    static func error(_ status: Int, code: String, message: String = "nope", headers: [String: String] = [:])
        -> TransportResponse
    {
        .json(status, #"{"error":{"code":"\#(code)","message":"\#(message)","doc_url":null,"details":null}}"#,
              headers: headers)
    }

    /// A 204 with no body.
    static let noContent = TransportResponse(statusCode: 204)
}

extension MockTransport.Step {
    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Self {
        .respond(.json(status, body, headers: headers))
    }

    static func error(_ status: Int, code: String, headers: [String: String] = [:]) -> Self {
        .respond(.error(status, code: code, headers: headers))
    }

    static let noContent: Self = .respond(.noContent)
}

extension TransportRequest {
    /// The JSON body as a tree, for assertions that do not depend on key order.
    var jsonBody: JSONValue? {
        body.flatMap { try? WireCoding.decoder.decode(JSONValue.self, from: $0) }
    }
}
