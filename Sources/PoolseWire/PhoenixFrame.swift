import Foundation

/// A Phoenix Channels serializer v2 frame: `[join_ref, ref, topic, event, payload]`.
public struct PhoenixFrame: Hashable, Sendable {
    /// The join reference of the channel the frame belongs to.
    public var joinRef: String?
    /// The message reference, echoed in replies.
    public var ref: String?
    /// `conversation:<id>`, `user:<id>` or `phoenix`.
    public var topic: String
    /// Event name.
    public var event: String
    /// Event payload.
    public var payload: JSONValue

    /// Creates a frame.
    public init(joinRef: String?, ref: String?, topic: String, event: String, payload: JSONValue = .object([:])) {
        self.joinRef = joinRef
        self.ref = ref
        self.topic = topic
        self.event = event
        self.payload = payload
    }

    /// Phoenix's reserved event names.
    public enum Event {
        public static let join = "phx_join"
        public static let leave = "phx_leave"
        public static let reply = "phx_reply"
        public static let close = "phx_close"
        public static let error = "phx_error"
        public static let heartbeat = "heartbeat"
    }

    /// The reserved topic of heartbeats.
    public static let phoenixTopic = "phoenix"

    /// Why a text could not be read as a frame.
    public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What was wrong.
        public let description: String
    }

    /// Decodes a v2 text frame.
    public static func decode(_ data: Data) throws -> PhoenixFrame {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw DecodeError(description: "frame is not JSON")
        }
        guard case .array(let items) = value, items.count == 5 else {
            throw DecodeError(description: "frame must be a 5-element array")
        }
        func optionalString(_ item: JSONValue, _ name: String) throws -> String? {
            switch item {
            case .null: return nil
            case .string(let text): return text
            // Some clients send refs as numbers. Only whole numbers an Int64 holds exactly are
            // accepted: `Int64(1e300)` traps, and one such frame must not stop the process.
            case .number(let number):
                guard let whole = Int64(exactly: number) else {
                    throw DecodeError(description: "\(name) must be a string, a whole number or null")
                }
                return String(whole)
            default: throw DecodeError(description: "\(name) must be a string, a whole number or null")
            }
        }
        guard case .string(let topic) = items[2] else { throw DecodeError(description: "topic must be a string") }
        guard case .string(let event) = items[3] else { throw DecodeError(description: "event must be a string") }
        return PhoenixFrame(
            joinRef: try optionalString(items[0], "join_ref"), ref: try optionalString(items[1], "ref"),
            topic: topic, event: event, payload: items[4])
    }

    /// Encodes the frame as v2 JSON text.
    public func encoded() throws -> Data {
        let array: JSONValue = .array([
            joinRef.map(JSONValue.string) ?? .null, ref.map(JSONValue.string) ?? .null,
            .string(topic), .string(event), payload,
        ])
        var bytes: [UInt8] = []
        array.write(into: &bytes)
        return Data(bytes)
    }

    /// A `phx_reply` to this frame.
    public func reply(status: String, response: JSONValue = .object([:])) -> PhoenixFrame {
        PhoenixFrame(joinRef: joinRef, ref: ref, topic: topic, event: Event.reply,
                     payload: .object(["status": .string(status), "response": response]))
    }
}
