import Foundation
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("Bad input gets the error envelope, never a 500")
struct ErrorHandlingTests {
    @Test func malformedJSONAndWrongTypesAreBadRequests() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let path = "/v1/conversations/\(group.id)/messages"
            try await api.request(.post, path, token: alice, raw: Data("{\"body\": ".utf8)).expectError(400, "bad_request")
            try await api.request(.post, path, token: alice, raw: Data("[1,2]".utf8)).expectError(400, "bad_request")
            try await api.request(.post, path, token: alice, json: ["body": 12]).expectError(400, "bad_request")
            try await api.request(.post, path, token: alice, json: ["body": "x", "mentions": "u"]).expectError(400, "bad_request")
            try await api.request(.post, path, token: alice).expectError(400, "bad_request")
            let wrongType = try await api.request(.post, "/v1/conversations", token: alice, json: ["type": true])
            wrongType.expectError(400, "bad_request")
            // Nothing accepted before is lost.
            #expect(try await api.request(.get, path, token: alice).status == 200)
        }
    }

    @Test func oversizeBodiesAreRefusedWith413() async throws {
        try await ServerFixture.open { $0.limits.maxBodyBytes = 2_048 }.run { api in
            let (_, alice) = try await api.login("alice")
            let group = try await api.createGroup(token: alice, members: [])
            let big = Data(("{\"body\": \"" + String(repeating: "x", count: 4_000) + "\"}").utf8)
            try await api.request(.post, "/v1/conversations/\(group.id)/messages", token: alice, raw: big)
                .expectError(413, "payload_too_large")
        }
    }

    @Test func badUUIDsInPathsAndUnknownRoutes() async throws {
        try await ServerFixture.open().run { api in
            let (_, alice) = try await api.login("alice")
            try await api.request(.get, "/v1/conversations/123", token: alice).expectError(400, "bad_request")
            try await api.request(.patch, "/v1/messages/zzz", token: alice, json: ["body": "x"]).expectError(400, "bad_request")
            try await api.request(.get, "/v1/nowhere", token: alice).expectError(404, "not_found")
            try await api.request(.get, "/v1/messages/\(UUID().uuidString)/replies", token: alice)
                .expectError(404, "not_found")
        }
    }

    @Test func tokenProblemsHaveTheirOwnCodes() async throws {
        let server = try await ServerFixture.open()
        try await server.run { api in
            let user = try await api.createUser("alice")
            let expired = try UserService.token(for: user, ttlSeconds: -10, keys: server.app.keys).token
            try await api.request(.get, "/v1/me", token: expired).expectError(401, "token_expired")
            try await api.request(.get, "/v1/me", token: "a.b.c").expectError(401, "invalid_token")
            try await api.request(.get, "/v1/me").expectError(401, "unauthorized")
        }
    }

    @Test func requestsCarryARequestId() async throws {
        try await ServerFixture.open().run { api in
            let result = try await api.request(.get, "/healthz")
            #expect(result.status == 200)
            #expect(result.header("X-Request-Id")?.isEmpty == false)
            let echoed = try await api.request(.get, "/healthz", headers: ["X-Request-Id": "trace-123"])
            #expect(echoed.header("X-Request-Id") == "trace-123")
        }
    }
}

@Suite("Domain errors")
struct DomainErrorMappingTests {
    @Test func everyDomainCodeHasAnHTTPStatusAndKeepsItsName() {
        for code in DomainError.Code.all {
            let status = ServiceError.status(of: code)
            #expect(ServiceError.statuses[code] != nil, "\(code) has no HTTP status")
            #expect(code == .internalFailure || status != 500, "\(code) maps to 500")
        }
        let mapped = ServiceError(DomainError.validation("body", "can't be blank"))
        #expect(mapped.status == 422)
        #expect(mapped.code == "validation_failed")
        #expect(mapped.details == ["body": ["can't be blank"]])
        #expect(ServiceError.reporting(DomainError.notFound("message"))?.status == 404)
        #expect(ServiceError.reporting(CancellationError()) == nil)
    }
}
