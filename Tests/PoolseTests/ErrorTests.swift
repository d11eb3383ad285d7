import Foundation
import Testing
@testable import Poolse

@Suite("Typed errors")
struct ErrorTests {
    @Test func errorEnvelopeBecomesAnAPIErrorWithEveryField() async throws {
        let body = #"""
        {"error":{"code":"validation_failed","message":"body: can't be blank",
         "doc_url":"https://chat.example.test/docs/errors#validation_failed",
         "details":{"body":["can't be blank"]},"trace":"ignored"}}
        """#
        let transport = MockTransport([.json(422, body)])
        let chat = makeClient(transport)

        let error = await #expect(throws: APIError.self) {
            try await chat.conversations.one("c-1").messages.send(.init(body: ""))
        }

        #expect(error?.status == 422)
        #expect(error?.code == "validation_failed")
        #expect(error?.message == "body: can't be blank")
        #expect(error?.docURL?.absoluteString == "https://chat.example.test/docs/errors#validation_failed")
        #expect(error?.details == ["body": ["can't be blank"]])
    }

    @Test func nonJSONErrorBodyStillProducesASensibleAPIError() async throws {
        let transport = MockTransport([.respond(TransportResponse(
            statusCode: 502, headers: ["Content-Type": "text/html"],
            body: Data("<html><body>Bad gateway from the proxy</body></html>".utf8)))])
        let chat = makeClient(transport) { $0.maxRetries = 0 }

        let error = await #expect(throws: APIError.self) { try await chat.me.show() }

        #expect(error?.status == 502)
        #expect(error?.code == "http_502")
        #expect(error?.message.contains("Bad gateway from the proxy") == true)
        #expect(error?.docURL == nil)
    }

    @Test func emptyErrorBodyGetsTheProtocolCodeForItsStatus() async throws {
        let transport = MockTransport([.respond(TransportResponse(statusCode: 404))])
        let chat = makeClient(transport)
        let error = await #expect(throws: APIError.self) { try await chat.conversations.one("gone").show() }
        #expect(error?.code == "not_found")
        #expect(error?.message.isEmpty == false)
    }

    @Test func undecodableSuccessBodyThrowsInvalidResponseError() async throws {
        let transport = MockTransport([.json(200, #"{"unexpected":true}"#)])
        let chat = makeClient(transport)
        let error = await #expect(throws: InvalidResponseError.self) { try await chat.me.show() }
        #expect(error?.status == 200)
        #expect(error?.underlying is DecodingError)
    }

    @Test func everyFailureKindIsAPoolseError() async throws {
        let cases: [(MockTransport.Step, any PoolseError.Type)] = [
            (.error(401, code: "unauthorized"), AuthError.self),
            (.error(429, code: "rate_limited"), RateLimitedError.self),
            (.error(404, code: "not_found"), APIError.self),
            (.fail(URLError(.cannotConnectToHost)), NetworkError.self),
            (.json(200, "[]"), InvalidResponseError.self),
        ]
        for (step, expected) in cases {
            let chat = makeClient(MockTransport(fallback: step)) { $0.maxRetries = 0 }
            do {
                _ = try await chat.me.show()
                Issue.record("expected \(expected)")
            } catch let error as any PoolseError {
                #expect(type(of: error) == expected)
                #expect(!error.message.isEmpty)
                #expect(error.description.contains("\(expected)"))
            }
        }
    }
}
