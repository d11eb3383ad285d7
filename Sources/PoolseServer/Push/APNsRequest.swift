import Foundation

/// One APNs request, built from a delivery without any I/O: the path, the headers (all but
/// `authorization`, added by the sender) and the JSON payload.
struct APNsRequest: Sendable, Equatable {
    /// `/3/device/<token>`.
    let path: String
    let headers: [String: String]
    let body: Data

    /// How long APNs keeps an alert for a device that is offline; a call is never stored
    /// (expiration 0): ringing an hour later is worse than not ringing.
    static let alertLifetime: TimeInterval = 24 * 3600

    /// Why a delivery can't become an APNs request.
    struct Mismatch: Error, Equatable { let reason: String }

    /// The request for `delivery` to an app whose bundle id is `bundleId`, sent at `now`.
    /// An alert goes to an `alert` token (push type `alert`, topic = bundle id); a call to a
    /// PushKit `voip` token (push type `voip`, topic `<bundle>.voip`). The other pairings are
    /// refused rather than sent: APNs would call the token bad, and the device would be deleted.
    static func make(_ delivery: PushDelivery, bundleId: String, now: Date) throws -> APNsRequest {
        let path = "/3/device/" + delivery.device.token
        switch (delivery.content, delivery.device.kind) {
        case (.alert(let alert), .alert):
            var headers = [
                "apns-topic": bundleId, "apns-push-type": "alert", "apns-priority": "10",
                "apns-expiration": String(Int64(now.timeIntervalSince1970 + alertLifetime)),
            ]
            if let collapse = alert.collapseId { headers["apns-collapse-id"] = Self.prefix(collapse, utf8Bytes: 64) }
            return APNsRequest(path: path, headers: headers, body: try encoder.encode(AlertPayload(alert)))
        case (.call(let call), .voip):
            let headers = ["apns-topic": bundleId + ".voip", "apns-push-type": "voip", "apns-priority": "10",
                           "apns-expiration": "0"]
            return APNsRequest(path: path, headers: headers, body: try encoder.encode(CallPayload(call)))
        case (.alert, .voip):
            throw Mismatch(reason: "a message alert can't go to a VoIP (PushKit) token; register an alert token")
        case (.call, .alert):
            throw Mismatch(reason: "a call can't go to an alert token; register a VoIP (PushKit) token")
        }
    }

    /// The longest prefix of whole characters within `limit` UTF-8 bytes (APNs caps a collapse id at 64).
    static func prefix(_ text: String, utf8Bytes limit: Int) -> String {
        var result = ""
        for character in text {
            guard result.utf8.count + character.utf8.count <= limit else { break }
            result.append(character)
        }
        return result
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// `{aps: {alert, badge, sound, mutable-content, thread-id}, conversation_id, message_id, sequence, sender_id}`:
    /// `mutable-content` lets a notification service extension rewrite it, `thread-id` groups
    /// a conversation's notifications.
    struct AlertPayload: Encodable {
        struct APS: Encodable {
            struct Alert: Encodable { let title: String; let body: String }
            let alert: Alert
            let badge: Int
            let sound = "default"
            let mutableContent = 1
            let threadId: String
            enum CodingKeys: String, CodingKey {
                case alert, badge, sound, mutableContent = "mutable-content", threadId = "thread-id"
            }
        }
        let aps: APS
        let conversationId: String
        let messageId: String
        let sequence: Int64
        let senderId: String
        enum CodingKeys: String, CodingKey {
            case aps, conversationId = "conversation_id", messageId = "message_id", sequence, senderId = "sender_id"
        }

        init(_ alert: PushAlert) {
            aps = APS(alert: .init(title: alert.title, body: alert.body), badge: alert.badge, threadId: alert.conversationId)
            conversationId = alert.conversationId
            messageId = alert.messageId
            sequence = alert.sequence
            senderId = alert.senderId
        }
    }

    /// The VoIP payload `@poolse/sdk` 2.12 reads: `{call_id, conversation_id, caller_user_id,
    /// caller_name, media, has_video, sent_at}` (`sent_at` in milliseconds).
    struct CallPayload: Encodable {
        let callId: String
        let conversationId: String
        let callerUserId: String
        let callerName: String
        let media: String
        let hasVideo: Bool
        let sentAt: Int64
        enum CodingKeys: String, CodingKey {
            case callId = "call_id", conversationId = "conversation_id", callerUserId = "caller_user_id",
                 callerName = "caller_name", media, hasVideo = "has_video", sentAt = "sent_at"
        }

        init(_ call: PushCall) {
            callId = call.callId
            conversationId = call.conversationId
            callerUserId = call.callerUserId
            callerName = call.callerName
            media = call.media
            hasVideo = call.media == "video"
            sentAt = call.sentAtMillis
        }
    }
}
