import Foundation
import PoolseWire
import Testing

@testable import PoolseServer

@Suite("The OpenAPI document matches the routes")
struct OpenAPITests {
    func document() throws -> [String: JSONValue] {
        try #require(try WireCoding.decoder.decode(JSONValue.self, from: OpenAPIDocument.data()).objectValue)
    }

    @Test func everyRouteAndItsErrorsAreDocumented() async throws {
        let server = try await TestServer.make()
        let paths = try #require(try document()["paths"]?.objectValue)
        for route in server.app.routes {
            let operation = paths[route.openAPIPath]?.objectValue?[route.method.rawValue.lowercased()]?.objectValue
            #expect(operation != nil, "\(route.method.rawValue) \(route.openAPIPath) is not in openapi.json")
            let documented = Set((operation?["responses"]?.objectValue ?? [:]).keys.compactMap(Int.init))
            let missing = route.errorStatuses.subtracting(documented)
            #expect(missing.isEmpty, "\(route.method.rawValue) \(route.openAPIPath) lacks responses \(missing.sorted())")
        }
        await server.cleanUp()
    }

    @Test func everyDocumentedOperationIsARoute() async throws {
        let server = try await TestServer.make()
        let registered = Set(server.app.routes.map { "\($0.method.rawValue.lowercased()) \($0.openAPIPath)" })
        let paths = try #require(try document()["paths"]?.objectValue)
        for (path, item) in paths {
            for method in (item.objectValue ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                #expect(registered.contains("\(method) \(path)"), "openapi.json documents \(method) \(path), which no route serves")
            }
        }
        await server.cleanUp()
    }

    @Test func documentIsServed() async throws {
        try await TestServer.make().run { api in
            let served = try await api.request(.get, "/openapi.json")
            #expect(served.status == 200)
            #expect(served.json.objectValue?["openapi"]?.stringValue == "3.1.0")
        }
    }
}
