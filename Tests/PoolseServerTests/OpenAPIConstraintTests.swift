import _CryptoExtras
import Crypto
import Foundation
import HTTPTypes
import PoolseWire
import Testing

import PoolseTestSupport
@testable import PoolseServer

/// The request schemas of openapi.json held against the live server: every constraint the
/// document states (`null` or not, lengths, ranges, item counts, enums, patterns, formats) is
/// tried just past its edge and must be refused, and where a value at the edge is easy to build
/// it must be accepted. A server looser than its document fails here, and so does a document
/// that states a limit the server does not hold.
@Suite("The OpenAPI request constraints match the server")
struct OpenAPIConstraintTests {
    /// A request schema, the route that takes it and a body that route accepts.
    struct Probe: Sendable {
        let schema: String
        let method: String
        let path: String
        /// nil: the tenant API key.
        let token: String?
        let base: [String: JSONValue]
        /// Properties whose `null` acceptance depends on other fields (said in their description).
        var conditionalNull: Set<String> = []
    }

    /// One mutation of a base body and what the server must answer.
    struct Attempt: CustomStringConvertible {
        let property: String
        let value: JSONValue
        let accepted: Bool
        let why: String
        var description: String { "\(property) = \(why): expected \(accepted ? "2xx" : "400/413/422")" }
    }

    static let refusals: Set<Int> = [400, 413, 422]

    func document() throws -> [String: JSONValue] {
        try #require(try WireCoding.decoder.decode(JSONValue.self, from: OpenAPIDocument.data()).objectValue)
    }

    @Test func everyRequestConstraintIsEnforced() async throws {
        let document = try document()
        let schemas = try #require(document["components"]?.objectValue?["schemas"]?.objectValue)
        let paths = try #require(document["paths"]?.objectValue)
        try await ServerFixture.open { $0.rateLimits.enabled = false }.run { api in
            let probes = try await Self.probes(api)
            var covered: Set<String> = []
            for probe in probes {
                // The probe's route really takes this schema.
                let templatePath = try #require(probe.path.split(separator: "|").first.map(String.init))
                let body = paths[templatePath]?.objectValue?[probe.method]?.objectValue?["requestBody"]?.objectValue
                let reference = body?["content"]?.objectValue?["application/json"]?.objectValue?["schema"]?.objectValue?["$ref"]
                #expect(reference?.stringValue == "#/components/schemas/\(probe.schema)", "\(probe.method) \(templatePath)")
                covered.insert(probe.schema)

                let schema = try #require(schemas[probe.schema]?.objectValue)
                let required = Set(schema["required"]?.arrayStrings ?? [])
                for (property, definition) in schema["properties"]?.objectValue ?? [:] {
                    guard let definition = definition.objectValue else { continue }
                    for attempt in Self.attempts(property, definition, required: required.contains(property),
                                                 conditionalNull: probe.conditionalNull.contains(property)) {
                        var body = probe.base
                        body[property] = attempt.value
                        let result = try await api.request(Self.method(probe.method), String(probe.path.split(separator: "|").last ?? ""),
                                                           token: probe.token ?? api.server.apiKey, json: .object(body))
                        let ok = attempt.accepted ? (200..<300).contains(result.status) : Self.refusals.contains(result.status)
                        #expect(ok, "\(probe.schema).\(attempt) but got \(result.status) \(String(decoding: result.body, as: UTF8.self))")
                    }
                }
            }
            // Every request schema of the document is probed.
            let requestSchemas = Set(schemas.keys.filter { $0.hasSuffix("Request") })
            #expect(requestSchemas == covered, "not probed: \(requestSchemas.subtracting(covered).sorted())")
        }
    }

    @Test func mutuallyExclusiveParametersAreRefusedTogether() async throws {
        let paths = try #require(try document()["paths"]?.objectValue)
        try await ServerFixture.open().run { api in
            let (_, token) = try await api.login("exclusive")
            let conversation = try await api.createGroup(token: token, members: [])
            var checked = 0
            for (path, item) in paths {
                for (method, operation) in item.objectValue ?? [:] {
                    for group in operation.objectValue?["x-mutually-exclusive-parameters"]?.arrayValue ?? [] {
                        let query = (group.arrayStrings ?? []).map { "\($0)=1" }.joined(separator: "&")
                        let concrete = path.replacingOccurrences(of: "{id}", with: conversation.id)
                        let result = try await api.request(Self.method(method), "\(concrete)?\(query)", token: token)
                        result.expectError(422, "validation_failed")
                        checked += 1
                    }
                }
            }
            #expect(checked > 0)
        }
    }

    // MARK: - What to try

    /// The attempts a property's constraints call for.
    static func attempts(_ property: String, _ definition: [String: JSONValue], required: Bool,
                         conditionalNull: Bool) -> [Attempt] {
        var attempts: [Attempt] = []
        let types = definition["type"].map { $0.arrayStrings ?? [$0.stringValue ?? ""] }
            ?? (definition["anyOf"]?.arrayValue?.compactMap { $0.objectValue?["type"]?.stringValue } ?? [])
        let nullable = types.contains("null")
        if !conditionalNull || !nullable {
            attempts.append(Attempt(property: property, value: .null, accepted: nullable && !required, why: "null"))
        }
        attempts += valueAttempts(property, definition)
        if types.contains("array"), let items = definition["items"]?.objectValue {
            if let most = definition["maxItems"]?.intValue {
                attempts.append(Attempt(property: property, value: .array((0...most).map { sample(items, index: $0) }),
                                        accepted: false, why: "\(most + 1) items"))
            }
            if let least = definition["minItems"]?.intValue, least > 0 {
                attempts.append(Attempt(property: property, value: .array((0..<(least - 1)).map { sample(items, index: $0) }),
                                        accepted: false, why: "\(least - 1) items"))
            }
            for item in valueAttempts(property, items) where !item.accepted {
                attempts.append(Attempt(property: property, value: [item.value], accepted: false, why: "[\(item.why)]"))
            }
        }
        return attempts
    }

    /// Attempts on a scalar value: lengths, pattern, range, enum, format.
    static func valueAttempts(_ property: String, _ definition: [String: JSONValue]) -> [Attempt] {
        var attempts: [Attempt] = []
        let pattern = definition["pattern"]?.stringValue
        if let least = definition["minLength"]?.intValue, least > 0 {
            attempts.append(Attempt(property: property, value: .string(String(repeating: "a", count: least - 1)),
                                    accepted: false, why: "\(least - 1) characters"))
        }
        if let most = definition["maxLength"]?.intValue {
            attempts.append(Attempt(property: property, value: .string(String(repeating: "a", count: most + 1)),
                                    accepted: false, why: "\(most + 1) characters"))
            if pattern == nil || pattern == "\\S" {
                attempts.append(Attempt(property: property, value: .string(String(repeating: "a", count: most)),
                                        accepted: true, why: "\(most) characters"))
            }
        }
        if pattern == "\\S" {
            attempts.append(Attempt(property: property, value: "   ", accepted: false, why: "only whitespace"))
        } else if pattern != nil {
            attempts.append(Attempt(property: property, value: "\u{1}bad\u{7F}", accepted: false, why: "off the pattern"))
        }
        if let least = definition["minimum"]?.intValue {
            attempts.append(Attempt(property: property, value: .number(Double(least - 1)), accepted: false, why: "\(least - 1)"))
            attempts.append(Attempt(property: property, value: .number(Double(least)), accepted: true, why: "\(least)"))
        }
        if let most = definition["maximum"]?.intValue {
            attempts.append(Attempt(property: property, value: .number(Double(most + 1)), accepted: false, why: "\(most + 1)"))
            attempts.append(Attempt(property: property, value: .number(Double(most)), accepted: true, why: "\(most)"))
        }
        if let values = definition["enum"]?.arrayValue {
            attempts.append(Attempt(property: property, value: "not-a-listed-value", accepted: false, why: "a value off the enum"))
            for value in values where value != .null {
                attempts.append(Attempt(property: property, value: value, accepted: true, why: "\(value)"))
            }
        }
        if definition["format"]?.stringValue == "uuid" {
            attempts.append(Attempt(property: property, value: "not-a-uuid", accepted: false, why: "not a UUID"))
        }
        return attempts
    }

    /// A valid item for an array of `items`, distinct per index.
    static func sample(_ items: [String: JSONValue], index: Int) -> JSONValue {
        items["format"]?.stringValue == "uuid" ? .string(UUID().uuidString.lowercased()) : .string("item-\(index)-\(UUID().uuidString.prefix(8))")
    }

    static func method(_ name: String) -> HTTPRequest.Method { HTTPRequest.Method(name.uppercased()) ?? .get }

    // MARK: - The probes

    /// A user, conversations and a message to aim at, and for each request schema its route and a base body.
    static func probes(_ api: APIClient) async throws -> [Probe] {
        let (_, token) = try await api.login("probe-owner")
        let spare = try await api.createUser("probe-spare")
        let updated = try await api.createGroup(token: token, members: ["probe-member"])
        let growing = try await api.createGroup(token: token, members: [])
        let messaged = try await api.createGroup(token: token, members: ["probe-member"])
        let message = try await api.send("hello", to: messaged.id, token: token)
        let report = try await api.request(.post, "/v1/reports", token: token,
                                           json: ["message_id": .string(message.id), "reason": "spam"]).decode(Report.self)
        let webhook = try await api.request(.post, "/v1/webhooks", token: api.server.apiKey,
                                            json: ["url": "https://93.184.215.14/hook", "events": ["message.created"]])
            .decode(WebhookEndpoint.self)
        func route(_ template: String, _ concrete: String) -> String { "\(template)|\(concrete)" }
        return [
            Probe(schema: "UserCreateRequest", method: "post", path: route("/v1/users", "/v1/users"), token: nil,
                  base: ["external_id": "probe-created"]),
            Probe(schema: "UserUpdateRequest", method: "patch", path: route("/v1/users/{user_id}", "/v1/users/\(spare.id)"),
                  token: nil, base: [:]),
            Probe(schema: "TokenRequest", method: "post",
                  path: route("/v1/users/{user_id}/tokens", "/v1/users/\(spare.id)/tokens"), token: nil, base: [:]),
            Probe(schema: "ConversationCreateRequest", method: "post", path: route("/v1/conversations", "/v1/conversations"),
                  token: token, base: ["type": "group", "member_external_ids": ["probe-member"]]),
            Probe(schema: "ConversationUpdateRequest", method: "patch",
                  path: route("/v1/conversations/{id}", "/v1/conversations/\(updated.id)"), token: token, base: [:]),
            Probe(schema: "AddMembersRequest", method: "post",
                  path: route("/v1/conversations/{id}/members", "/v1/conversations/\(growing.id)/members"), token: token,
                  base: ["external_ids": ["probe-added"]]),
            Probe(schema: "MessageCreateRequest", method: "post",
                  path: route("/v1/conversations/{id}/messages", "/v1/conversations/\(messaged.id)/messages"), token: token,
                  base: ["body": "probe"], conditionalNull: ["body"]),
            Probe(schema: "MessageUpdateRequest", method: "patch", path: route("/v1/messages/{id}", "/v1/messages/\(message.id)"),
                  token: token, base: ["body": "edited"]),
            Probe(schema: "MarkReadRequest", method: "post",
                  path: route("/v1/conversations/{id}/read", "/v1/conversations/\(messaged.id)/read"), token: token,
                  base: ["message_id": .string(message.id)]),
            Probe(schema: "ReactionRequest", method: "post",
                  path: route("/v1/messages/{id}/reactions", "/v1/messages/\(message.id)/reactions"), token: token,
                  base: ["emoji": "👍"]),
            Probe(schema: "AttachmentUploadRequest", method: "post",
                  path: route("/v1/attachments/upload-url", "/v1/attachments/upload-url"), token: token,
                  base: ["content_type": "image/png", "byte_size": 10]),
            Probe(schema: "BlockRequest", method: "post", path: route("/v1/me/blocks", "/v1/me/blocks"), token: token,
                  base: ["user_id": .string(spare.id)]),
            Probe(schema: "MuteRequest", method: "put",
                  path: route("/v1/conversations/{id}/mute", "/v1/conversations/\(messaged.id)/mute"), token: token,
                  base: [:]),
            Probe(schema: "ReportCreateRequest", method: "post", path: route("/v1/reports", "/v1/reports"), token: token,
                  base: ["user_id": .string(spare.id), "reason": "spam"], conditionalNull: ["message_id", "user_id"]),
            Probe(schema: "ReportUpdateRequest", method: "patch",
                  path: route("/v1/reports/{id}", "/v1/reports/\(report.id)"), token: nil, base: ["status": "resolved"]),
            Probe(schema: "BanRequest", method: "post",
                  path: route("/v1/conversations/{id}/bans", "/v1/conversations/\(growing.id)/bans"), token: token,
                  base: ["user_id": .string(spare.id)]),
            Probe(schema: "APNsConfigurationRequest", method: "put", path: route("/v1/tenant/push/apns", "/v1/tenant/push/apns"),
                  token: nil, base: ["key_id": "KEY1234567", "team_id": "TEAM123456", "bundle_id": "com.example.chat",
                                     "private_key": .string(P256.Signing.PrivateKey().pemRepresentation)]),
            Probe(schema: "FCMConfigurationRequest", method: "put", path: route("/v1/tenant/push/fcm", "/v1/tenant/push/fcm"),
                  token: nil, base: ["service_account": .string(FCMStandIn.serviceAccountJSON(
                      key: try _RSA.Signing.PrivateKey(keySize: .bits2048)))]),
            Probe(schema: "BeforeSendHookRequest", method: "put",
                  path: route(BeforeSendHookRoutes.path, BeforeSendHookRoutes.path), token: nil,
                  base: ["url": "https://93.184.216.34/hook"]),
            Probe(schema: "WebhookCreateRequest", method: "post", path: route("/v1/webhooks", "/v1/webhooks"), token: nil,
                  base: ["url": "https://93.184.215.14/probe", "events": ["message.created"]]),
            Probe(schema: "WebhookUpdateRequest", method: "patch",
                  path: route("/v1/webhooks/{id}", "/v1/webhooks/\(webhook.id)"), token: nil, base: [:]),
            Probe(schema: "TenantSettingsUpdateRequest", method: "patch", path: route("/v1/tenant/settings", "/v1/tenant/settings"),
                  token: nil, base: [:]),
            Probe(schema: "DeviceRegisterRequest", method: "post", path: route("/v1/devices", "/v1/devices"), token: token,
                  base: ["token": "probe-device-token", "platform": "ios"]),
        ]
    }
}

extension JSONValue {
    var arrayStrings: [String]? { arrayValue?.compactMap(\.stringValue) }

    var intValue: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }
}
