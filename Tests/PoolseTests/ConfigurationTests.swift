import Foundation
import Testing
@testable import Poolse

@Suite("Configuration")
struct ConfigurationTests {
    @Test func defaultsMatchTheDocumentedValues() {
        let configuration = PoolseConfiguration { nil }
        #expect(configuration.apiURL.absoluteString == "https://api.poolse.dev")
        #expect(configuration.wsURL.absoluteString == "wss://api.poolse.dev")
        #expect(configuration.socketPath == "/socket")
        #expect(configuration.maxRetries == 3)
        #expect(configuration.baseBackoff == .milliseconds(250))
        #expect(configuration.maxBackoff == .seconds(30))
        #expect(configuration.transport is URLSessionTransport)
        #expect(configuration.onSocketError == nil)
        #expect(configuration.userResolver == nil)
    }

    @Test func defaultIdempotencyKeysAreFreshLowercaseUUIDs() {
        let configuration = PoolseConfiguration { nil }
        let first = configuration.generateIdempotencyKey()
        let second = configuration.generateIdempotencyKey()
        #expect(UUID(uuidString: first) != nil)
        #expect(first == first.lowercased())
        #expect(first != second)
    }

    @Test func trailingSlashesAreStrippedFromURLs() {
        var configuration = PoolseConfiguration(
            apiURL: URL(string: "https://chat.example.test/api//")!, wsURL: URL(string: "wss://ws.example.test/")!
        ) { nil }
        #expect(configuration.apiURL.absoluteString == "https://chat.example.test/api")
        #expect(configuration.wsURL.absoluteString == "wss://ws.example.test")

        configuration.apiURL = URL(string: "http://localhost:8080/")!
        #expect(configuration.apiURL.absoluteString == "http://localhost:8080")
    }

    @Test(arguments: [
        ("https://api.example.test", "wss://api.example.test"),
        ("http://localhost:8080/base/", "ws://localhost:8080/base"),
    ])
    func webSocketURLFollowsTheAPIURLScheme(apiURL: String, expected: String) {
        let configuration = PoolseConfiguration(apiURL: URL(string: apiURL)!) { nil }
        #expect(configuration.wsURL.absoluteString == expected)
    }

    @Test func explicitWebSocketURLWinsOverTheDerivedOne() {
        var configuration = PoolseConfiguration(apiURL: URL(string: "https://api.example.test")!) { nil }
        configuration.wsURL = URL(string: "wss://realtime.example.test")!
        configuration.apiURL = URL(string: "https://other.example.test")!
        #expect(configuration.wsURL.absoluteString == "wss://realtime.example.test")
    }

    @Test func clientKeepsRealtimeSettingsForLater() {
        let configuration = PoolseConfiguration(socketPath: "/live", onSocketError: { _ in }) { nil }
        let chat = Poolse(configuration)
        #expect(chat.configuration.socketPath == "/live")
        #expect(chat.configuration.onSocketError != nil)
    }

    @Test func requestsGoToTheTrimmedBaseURL() async throws {
        let transport = MockTransport([.json(200, Fixture.me)])
        let chat = makeClient(transport) { $0.apiURL = URL(string: "http://localhost:8080/prefix/")! }
        _ = try await chat.me.show()
        #expect(await transport.lastRequest?.url.absoluteString == "http://localhost:8080/prefix/v1/me")
    }
}
