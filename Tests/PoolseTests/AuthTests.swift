import Foundation
import Testing
@testable import Poolse

@Suite("Authentication")
struct AuthTests {
    @Test func requestsCarryTheBearerTokenFromGetToken() async throws {
        let transport = MockTransport([.json(200, Fixture.me)])
        let chat = makeClient(transport, getToken: { "jwt-abc" })
        _ = try await chat.me.show()
        #expect(await transport.lastRequest?.header("authorization") == "Bearer jwt-abc")
    }

    @Test func nilTokenSendsNoAuthorizationHeader() async throws {
        let transport = MockTransport([.json(200, Fixture.me)])
        let chat = makeClient(transport, getToken: { nil })
        _ = try await chat.me.show()
        #expect(await transport.lastRequest?.header("Authorization") == nil)
    }

    @Test func getTokenRunsOncePerTokenLifetimeNotPerRequest() async throws {
        let source = TokenSource(["opaque"])
        let transport = MockTransport(fallback: .json(200, Fixture.me))
        let chat = makeClient(transport, getToken: source.getToken)
        for _ in 0..<3 { _ = try await chat.me.show() }
        #expect(source.calls == 1)
        #expect(await transport.requestCount == 3)
    }

    @Test func unauthorizedForcesOneRefreshAndRetriesWithTheNewToken() async throws {
        let source = TokenSource(["revoked", "fresh"])
        let transport = MockTransport([.error(401, code: "token_expired"), .json(201, Fixture.conversation())])
        let chat = makeClient(transport, getToken: source.getToken)

        let conversation = try await chat.conversations.create(.init(type: .group, name: "Team"))

        #expect(conversation.id == "c-1")
        let requests = await transport.requests
        #expect(requests.map { $0.header("Authorization") } == ["Bearer revoked", "Bearer fresh"])
        #expect(requests[0].header("Idempotency-Key") == requests[1].header("Idempotency-Key"))
        #expect(source.calls == 2)
    }

    @Test func secondUnauthorizedThrowsAuthError() async throws {
        let sleeper = SleepRecorder()
        let transport = MockTransport(fallback: .error(401, code: "invalid_token"))
        let chat = makeClient(transport, sleeper: sleeper)

        let error = await #expect(throws: AuthError.self) { try await chat.me.show() }

        #expect(error?.code == "invalid_token")
        #expect(error?.apiError.status == 401)
        #expect(await transport.requestCount == 2)
        #expect(sleeper.delays.isEmpty)
    }

    @Test func unauthorizedRetryDoesNotSpendTheTransientRetryBudget() async throws {
        let transport = MockTransport([.error(401, code: "token_expired"), .error(503, code: "unavailable"),
                                       .json(200, Fixture.me)])
        let chat = makeClient(transport) { $0.maxRetries = 1 }
        _ = try await chat.me.show()
        #expect(await transport.requestCount == 3)
    }
}
