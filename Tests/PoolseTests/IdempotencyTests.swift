import Foundation
import Testing
@testable import Poolse

@Suite("Idempotency keys")
struct IdempotencyTests {
    @Test func everyNonGETCarriesAKeyAndGETDoesNot() async throws {
        let transport = MockTransport([
            .json(200, Fixture.conversation()), .json(200, Fixture.message()), .noContent, .json(200, Fixture.message()),
        ])
        let chat = makeClient(transport)
        _ = try await chat.conversations.one("c-1").show()
        _ = try await chat.messages.one("m-1").update(body: "edited")
        try await chat.messages.one("m-1").delete()
        _ = try await chat.messages.one("m-1").addReaction("🎉")

        let requests = await transport.requests
        #expect(requests.map(\.method) == [.get, .patch, .delete, .post])
        #expect(requests[0].header("Idempotency-Key") == nil)
        for request in requests.dropFirst() {
            #expect(request.header("Idempotency-Key")?.isEmpty == false)
        }
    }

    @Test func retriesOfOneCallReuseTheSameKey() async throws {
        let transport = MockTransport([.error(503, code: "unavailable"), .fail(URLError(.networkConnectionLost)),
                                       .error(429, code: "rate_limited"), .json(201, Fixture.message())])
        let chat = makeClient(transport)

        _ = try await chat.conversations.one("c-1").messages.send(.init(body: "Hi"))

        let keys = await transport.requests.map { $0.header("Idempotency-Key") }
        #expect(keys.count == 4)
        #expect(Set(keys).count == 1)
        #expect(keys[0] != nil)
    }

    @Test func eachLogicalCallGetsAFreshKeyFromTheGenerator() async throws {
        let keys = KeySequence()
        let transport = MockTransport(fallback: .json(201, Fixture.message()))
        let chat = makeClient(transport) { $0.generateIdempotencyKey = keys.generate }
        let messages = chat.conversations.one("c-1").messages
        _ = try await messages.send(.init(body: "one"))
        _ = try await messages.send(.init(body: "two"))
        #expect(await transport.requests.map { $0.header("Idempotency-Key") } == ["key-1", "key-2"])
    }

    @Test func restRequestSendsAnExplicitKeyOnEveryAttempt() async throws {
        let transport = MockTransport([.error(500, code: "internal_error"), .json(200, "{}")])
        let chat = makeClient(transport)
        try await chat.rest.request(.post, "/v1/things", body: ["a": 1], idempotencyKey: .key("my-key"))
        #expect(await transport.requests.map { $0.header("Idempotency-Key") } == ["my-key", "my-key"])
    }

    @Test func restRequestCanOmitTheKey() async throws {
        let transport = MockTransport([.json(200, "{}")])
        let chat = makeClient(transport)
        try await chat.rest.request(.post, "/v1/things", idempotencyKey: .omitted)
        #expect(await transport.lastRequest?.header("Idempotency-Key") == nil)
    }

    @Test func restRequestDefaultsToAFreshKeyForNonGETOnly() async throws {
        let keys = KeySequence()
        let transport = MockTransport(fallback: .json(200, "{}"))
        let chat = makeClient(transport) { $0.generateIdempotencyKey = keys.generate }
        try await chat.rest.request(.get, "/v1/things")
        try await chat.rest.request(.put, "/v1/things")
        #expect(await transport.requests.map { $0.header("Idempotency-Key") } == [nil, "key-1"])
    }

    @Test func replayedResponsesAreReportedAsSuch() async throws {
        let transport = MockTransport([.json(201, "{}", headers: ["Idempotent-Replayed": "true"]), .json(201, "{}")])
        let chat = makeClient(transport)
        let replayed = try await chat.rest.request(.post, "/v1/things", idempotencyKey: .key("k"))
        let fresh = try await chat.rest.request(.post, "/v1/things", idempotencyKey: .key("k2"))
        #expect(replayed.isReplayed)
        #expect(!fresh.isReplayed)
    }
}
