import Foundation
import PoolseWire

/// `PUT /v1/tenant/hooks/before-send`.
struct BeforeSendHookRequest: Decodable, Sendable {
    let url: String
    /// How long the hook may take, 100…10000 ms; null or absent: 1000.
    let timeoutMs: Int?
    /// What a timeout or a broken answer does: true (default) stores the message as sent, false refuses it.
    let failOpen: Bool?
    /// The signing secret, 16…256 characters; null or absent: one is generated.
    let secret: String?

    enum CodingKeys: String, CodingKey { case url, timeoutMs = "timeout_ms", failOpen = "fail_open", secret }
}

/// The hook as shown: the secret only in the answer to `PUT` (shown once).
struct BeforeSendHookView: Encodable, Sendable, Equatable {
    let url: String
    let timeoutMs: Int
    let failOpen: Bool
    let secret: String?
    let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case url, timeoutMs = "timeout_ms", failOpen = "fail_open", secret, updatedAt = "updated_at"
    }
}

/// What the hook receives: the message about to be stored, and who sends it where.
struct BeforeSendPayload: Encodable, Sendable {
    struct Sender: Encodable, Sendable {
        let id: String
        let externalId: String
        enum CodingKeys: String, CodingKey { case id, externalId = "external_id" }
    }

    struct Draft: Encodable, Sendable {
        let id: String
        let type: String
        let body: String?
        let replyToId: String?
        let quotedMessageId: String?
        let mentions: [String]
        let attachmentIds: [String]
        enum CodingKeys: String, CodingKey {
            case id, type, body, replyToId = "reply_to_id", quotedMessageId = "quoted_message_id", mentions,
                 attachmentIds = "attachment_ids"
        }

        func encode(to encoder: any Encoder) throws {
            // Nulls are written out: the hook sees every field.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(type, forKey: .type)
            try container.encode(body, forKey: .body)
            try container.encode(replyToId, forKey: .replyToId)
            try container.encode(quotedMessageId, forKey: .quotedMessageId)
            try container.encode(mentions, forKey: .mentions)
            try container.encode(attachmentIds, forKey: .attachmentIds)
        }
    }

    let event = "message.before_send"
    let tenantId: String
    let conversationId: String
    let sender: Sender
    let message: Draft

    enum CodingKeys: String, CodingKey {
        case event, tenantId = "tenant_id", conversationId = "conversation_id", sender, message
    }
}

/// The hook's answer: `{action: "allow"}`, `{action: "reject", reason?}` or `{action: "modify", body}`.
enum BeforeSendDecision: Equatable, Sendable {
    case allow
    case reject(reason: String?)
    case modify(body: String?)

    /// Parses an answer; nil when it is not one of the three.
    static func parse(_ data: Data) -> BeforeSendDecision? {
        guard let object = (try? WireCoding.decoder.decode(JSONValue.self, from: data))?.objectValue else { return nil }
        switch object["action"]?.stringValue {
        case "allow": return .allow
        case "reject": return .reject(reason: object["reason"]?.stringValue)
        case "modify":
            switch object["body"] {
            case .string(let body): return .modify(body: body)
            case .null: return .modify(body: nil)
            default: return nil
            }
        default: return nil
        }
    }
}
