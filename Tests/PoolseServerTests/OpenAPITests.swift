import Foundation
import HTTPTypes
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

@Suite("The OpenAPI document matches the routes")
struct OpenAPITests {
    func document() throws -> [String: JSONValue] {
        try #require(try WireCoding.decoder.decode(JSONValue.self, from: OpenAPIDocument.data()).objectValue)
    }

    @Test func everyRouteAndItsErrorsAreDocumented() async throws {
        let server = try await ServerFixture.open()
        let paths = try #require(try document()["paths"]?.objectValue)
        for route in server.app.declaredRoutes {
            let operation = paths[route.openAPIPath]?.objectValue?[route.method.rawValue.lowercased()]?.objectValue
            #expect(operation != nil, "\(route.method.rawValue) \(route.openAPIPath) is not in openapi.json")
            let documented = Set((operation?["responses"]?.objectValue ?? [:]).keys.compactMap(Int.init))
            let missing = route.errorStatuses.subtracting(documented)
            #expect(missing.isEmpty, "\(route.method.rawValue) \(route.openAPIPath) lacks responses \(missing.sorted())")
        }
        await server.cleanUp()
    }

    @Test func everyDocumentedOperationIsARoute() async throws {
        let server = try await ServerFixture.open()
        let registered = Set(server.app.declaredRoutes.map { "\($0.method.rawValue.lowercased()) \($0.openAPIPath)" })
        let paths = try #require(try document()["paths"]?.objectValue)
        for (path, item) in paths {
            for method in (item.objectValue ?? [:]).keys where Self.methods.contains(method) {
                #expect(registered.contains("\(method) \(path)"), "openapi.json documents \(method) \(path), which no route serves")
            }
        }
        await server.cleanUp()
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Every documented path answers the methods it does not document with 405 and an `Allow`
    /// that lists exactly the documented ones.
    @Test func undocumentedMethodsGet405WithAllow() async throws {
        let paths = try #require(try document()["paths"]?.objectValue)
        try await ServerFixture.open().run { api in
            for (path, item) in paths {
                let documented = Set((item.objectValue ?? [:]).keys.filter { Self.methods.contains($0) })
                let concrete = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                    segment.hasPrefix("{") ? (segment == "{emoji}" ? "x" : UUID().uuidString.lowercased()) : String(segment)
                }.joined(separator: "/")
                for method in Self.methods where !documented.contains(method) {
                    let result = try await api.request(HTTPRequest.Method(method.uppercased())!, concrete)
                    #expect(result.status == 405, "\(method) \(path)")
                    if method != "head" { result.expectError(405, "method_not_allowed") }
                    #expect(result.header("Allow") == documented.map { $0.uppercased() }.sorted().joined(separator: ", "),
                            "\(method) \(path)")
                }
            }
        }
    }

    @Test func documentIsServed() async throws {
        try await ServerFixture.open().run { api in
            let served = try await api.request(.get, "/openapi.json")
            #expect(served.status == 200)
            #expect(served.json.objectValue?["openapi"]?.stringValue == "3.1.0")
        }
    }
}
