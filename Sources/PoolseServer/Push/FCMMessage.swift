import Foundation

/// The body of an FCM HTTP v1 `messages:send` request, built without I/O.
///
/// - An alert is a notification message `{token, notification: {title, body}, data, android:
///   {collapse_key, priority: high, notification: {tag}}}`: the tag makes a later notification of
///   the same burst replace the earlier one in the tray.
/// - A call is a data-only, high-priority message with a 60 s time to live, so the app's
///   messaging service runs and rings, and a call is not delivered long after it ended.
///
/// FCM data values must be strings, so numbers and flags are sent as their decimal text.
enum FCMMessage {
    /// How long FCM keeps a call for an unreachable device.
    static let callTimeToLive = "60s"

    static func body(for delivery: PushDelivery) throws -> Data {
        var message: [String: Any] = ["token": delivery.device.token]
        switch delivery.content {
        case .alert(let alert):
            message["notification"] = ["title": alert.title, "body": alert.body]
            message["data"] = [
                "type": "message", "conversation_id": alert.conversationId, "message_id": alert.messageId,
                "sequence": String(alert.sequence), "sender_id": alert.senderId, "badge": String(alert.badge),
            ]
            var android: [String: Any] = ["priority": "high"]
            if let collapse = alert.collapseId {
                android["collapse_key"] = collapse
                android["notification"] = ["tag": collapse]
            }
            message["android"] = android
        case .call(let call):
            message["data"] = [
                "type": "call", "call_id": call.callId, "conversation_id": call.conversationId,
                "caller_user_id": call.callerUserId, "caller_name": call.callerName, "media": call.media,
                "has_video": call.media == "video" ? "true" : "false", "sent_at": String(call.sentAtMillis),
            ]
            message["android"] = ["priority": "high", "ttl": callTimeToLive, "collapse_key": call.callId]
        }
        return try JSONSerialization.data(withJSONObject: ["message": message], options: [.sortedKeys])
    }
}
