import Foundation
import Testing
@testable import Poolse

@Suite("rest.request escape hatch")
struct RESTEscapeHatchTests {
    struct Thing: Codable, Equatable {
        var name: String
    }

    @Test func decodesTheResponseIntoTheRequestedType() async throws {
        let transport = MockTransport([.json(200, #"{"name":"widget","extra":1}"#)])
        let thing: Thing = try await makeClient(transport).rest.request(.get, "/v1/things/1")
        #expect(thing == Thing(name: "widget"))
    }

    @Test func encodesTheBodyAndTheQuery() async throws {
        let transport = MockTransport([.json(201, #"{"name":"new"}"#)])
        let chat = makeClient(transport)
        _ = try await chat.rest.request(
            .post, "v1/things", query: [URLQueryItem(name: "q", value: "a b&c=d"), URLQueryItem(name: "limit", value: "10")],
            body: Thing(name: "new"), as: Thing.self)
        let request = try #require(await transport.lastRequest)
        #expect(request.url.absoluteString == "https://chat.example.test/v1/things?q=a%20b%26c%3Dd&limit=10")
        #expect(request.jsonBody == ["name": "new"])
    }

    @Test func rawVariantReturnsStatusHeadersAndBody() async throws {
        let transport = MockTransport([.respond(TransportResponse(statusCode: 204, headers: ["X-Thing": "1"]))])
        let response = try await makeClient(transport).rest.request(.delete, "/v1/things/1")
        #expect(response.statusCode == 204)
        #expect(response.body.isEmpty)
        #expect(response.headers["X-Thing"] == "1")
    }

    @Test func sharesRetriesAndAuthWithTheTypedResources() async throws {
        let source = TokenSource(["old", "new"])
        let transport = MockTransport([.error(503, code: "unavailable"), .error(401, code: "token_expired"),
                                       .json(200, #"{"name":"ok"}"#)])
        let chat = makeClient(transport, getToken: source.getToken)
        let thing: Thing = try await chat.rest.request(.patch, "/v1/things/1", body: Thing(name: "ok"))
        #expect(thing.name == "ok")
        #expect(await transport.requests.map { $0.header("Authorization") } == ["Bearer old", "Bearer old", "Bearer new"])
    }
}
