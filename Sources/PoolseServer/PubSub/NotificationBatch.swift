import PoolseWire

/// The text of one `NOTIFY`: the events of one publish, each as a header line
/// `{"topic":…,"event":…,"except_user_id":…}` followed by its payload line, the payload JSON
/// exactly as it was encoded (compact JSON has no raw newlines, so lines cannot be confused).
/// A batch too big for a notification is stored and the notification is `{"ref":"<id>"}`.
enum NotificationBatch {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ messages: [RealtimeMessage]) -> String {
        var lines: [String] = []
        lines.reserveCapacity(messages.count * 2)
        for message in messages {
            var header: JSONObject = ["topic": .string(message.topic), "event": .string(message.event)]
            if let except = message.exceptUserId { header["except_user_id"] = .string(except) }
            if !message.hiddenFrom.isEmpty { header["hidden_from"] = .array(message.hiddenFrom.map(JSONValue.string)) }
            lines.append(JSONValue.object(header).jsonText)
            lines.append(message.payloadJSON)
        }
        return lines.joined(separator: "\n")
    }

    static func reference(_ id: String) -> String { JSONValue.object(["ref": .string(id)]).jsonText }

    /// The stored batch's id when `text` is a reference.
    static func referencedId(_ text: String) -> String? {
        guard text.hasPrefix(#"{"ref":"#), !text.contains("\n") else { return nil }
        return (try? JSONValue.parse(text))?.objectValue?["ref"]?.stringValue
    }

    static func decode(_ text: String) throws -> [RealtimeMessage] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count % 2 == 0 else { throw Malformed(description: "a header without its payload") }
        var messages: [RealtimeMessage] = []
        messages.reserveCapacity(lines.count / 2)
        for index in stride(from: 0, to: lines.count, by: 2) {
            let header = try JSONValue.parse(String(lines[index])).objectValue
            guard let topic = header?["topic"]?.stringValue, let event = header?["event"]?.stringValue else {
                throw Malformed(description: "a header without topic or event")
            }
            var message = RealtimeMessage(topic: topic, event: event, payloadJSON: String(lines[index + 1]),
                                          exceptUserId: header?["except_user_id"]?.stringValue)
            message.hiddenFrom = header?["hidden_from"]?.arrayValue?.compactMap(\.stringValue) ?? []
            messages.append(message)
        }
        return messages
    }
}
