import Foundation
import Testing

@testable import PoolseWire

/// Hostile and random JSON fed to every decoder that reads input from the network (the server
/// reads clients' frames and bodies, the SDK reads the server's). A decoder may refuse input;
/// it must never trap. A trap here stops the whole test process, so the suite fails loudly.
@Suite("Decoders refuse hostile JSON without trapping")
struct DecoderFuzzTests {
    /// Numbers at and past every integer boundary, in the spellings JSON allows.
    static let boundaryNumbers = [
        "0", "-0", "1e300", "-1e300", "1e-300", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "4294967296", "2147483648",
        "1.5", "-1.5", "1E400", "123456789012345678901234567890", "0.0000001", "9007199254740993",
    ]

    @Test func phoenixFramesWithHugeOrFractionalRefsAreRefused() throws {
        for number in Self.boundaryNumbers {
            let text = "[\(number),\(number),\"conversation:x\",\"phx_join\",{}]"
            // Either a whole number an Int64 holds exactly, or refused; never a trap.
            if let frame = try? PhoenixFrame.decode(Data(text.utf8)) {
                let ref = try #require(frame.ref)
                #expect(Int64(ref) != nil, "accepted \(number) as \(ref)")
            }
        }
        #expect(throws: PhoenixFrame.DecodeError.self) {
            try PhoenixFrame.decode(Data(#"[1e300,"1","phoenix","heartbeat",{}]"#.utf8))
        }
        #expect(throws: PhoenixFrame.DecodeError.self) {
            try PhoenixFrame.decode(Data(#"[null,9223372036854775808,"phoenix","heartbeat",{}]"#.utf8))
        }
        // JSON numbers are read as doubles: 2^63 - 1 rounds to 2^63, which no Int64 holds.
        #expect(throws: PhoenixFrame.DecodeError.self) {
            try PhoenixFrame.decode(Data(#"[null,9223372036854775807,"phoenix","heartbeat",{}]"#.utf8))
        }
        let exact = try PhoenixFrame.decode(Data(#"[null,9007199254740992,"phoenix","heartbeat",{}]"#.utf8))
        #expect(exact.ref == "9007199254740992")
        #expect(try PhoenixFrame.decode(Data(#"[7,"8","phoenix","heartbeat",{}]"#.utf8)).joinRef == "7")
    }

    @Test func everyWireTypeSurvivesBoundaryValuesInEveryField() throws {
        for (name, decode) in Self.decoders {
            for template in Self.templates {
                for field in Self.fieldNames {
                    for value in Self.boundaryValues {
                        let text = template.replacingOccurrences(of: "\"$\"", with: "{\"\(field)\":\(value)}")
                            .replacingOccurrences(of: "$FIELD", with: field).replacingOccurrences(of: "$VALUE", with: value)
                        decode(Data(text.utf8))
                    }
                }
            }
            _ = name
        }
        #expect(Self.decoders.count >= 30)
    }

    @Test func randomJSONNeverTrapsAnyDecoder() throws {
        var random = SeededRandom(seed: 0x5EED)
        for _ in 0..<400 {
            let text = Self.randomJSON(depth: 0, &random)
            let data = Data(text.utf8)
            for (_, decode) in Self.decoders { decode(data) }
            _ = try? PhoenixFrame.decode(data)
            _ = try? JSONValue.parse(data)
        }
        // Random bytes too, including truncated UTF-8.
        for _ in 0..<400 {
            let count = Int(random.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? PhoenixFrame.decode(Data(bytes))
            _ = try? JSONValue.parse(Data(bytes))
        }
    }

    @Test func timesOutsideAnyCalendarStillEncode() {
        #expect(WireTime.micros(Date(timeIntervalSince1970: 1e300)) == Int64.max)
        #expect(WireTime.micros(Date(timeIntervalSince1970: -1e300)) == Int64.min)
        #expect(WireTime.parse("99999-01-01T00:00:00Z") == nil)
        #expect(WireTime.parse("2026-13-01T00:00:00Z") == nil)
    }

    // MARK: - Inputs

    static let fieldNames = [
        "id", "sequence", "byte_size", "member_limit", "ttl_seconds", "online_at", "unread_count", "reply_count",
        "last_sequence", "last_read_sequence", "expires_at", "inserted_at", "status", "limit", "type", "role",
        "reactions", "mentions", "metas", "joins", "leaves", "data", "error", "details", "attachments", "body",
    ]

    static let boundaryValues = boundaryNumbers + [
        "null", "true", "\"\"", "\"x\"", "[]", "{}", "[1e300]", "{\"a\":1e300}", "\"9999-12-31T23:59:59.9999999999Z\"",
        "\"0000-01-01T00:00:00Z\"", "\"2026-02-31T25:61:61Z\"", "\"\\u0000\"", "[[[[[[[[[[]]]]]]]]]]",
    ]

    /// Objects with one field replaced (`$`), and valid-looking rows with one field set to a value.
    static let templates = [
        "\"$\"",
        #"{"data":["$"]}"#,
        #"{"id":"m","conversation_id":"c","sender_id":"u","sender_external_id":"a","type":"text","sequence":1,"$FIELD":$VALUE,"inserted_at":"2026-11-29T08:00:00Z","updated_at":"2026-11-29T08:00:00Z"}"#,
        #"{"joins":{"u":{"metas":[{"phx_ref":"r","online_at":$VALUE}]}},"leaves":{}}"#,
        #"{"error":{"code":"x","message":"m","$FIELD":$VALUE}}"#,
    ]

    static func randomJSON(depth: Int, _ random: inout SeededRandom) -> String {
        let choice = depth > 4 ? random.next() % 4 : random.next() % 7
        switch choice {
        case 0: return boundaryNumbers[Int(random.next() % UInt64(boundaryNumbers.count))]
        case 1: return ["null", "true", "false"][Int(random.next() % 3)]
        case 2: return "\"" + fieldNames[Int(random.next() % UInt64(fieldNames.count))] + "\""
        case 3: return "\"2026-11-29T08:00:00.\(random.next() % 1_000_000)Z\""
        case 4, 5:
            let count = Int(random.next() % 5)
            let fields = (0..<count).map { _ in
                "\"\(fieldNames[Int(random.next() % UInt64(fieldNames.count))])\":\(randomJSON(depth: depth + 1, &random))"
            }
            return "{" + fields.joined(separator: ",") + "}"
        default:
            let count = Int(random.next() % 6)
            return "[" + (0..<count).map { _ in randomJSON(depth: depth + 1, &random) }.joined(separator: ",") + "]"
        }
    }

    /// Every wire type, decoded (and, when that worked, encoded again) with the shared coders.
    static let decoders: [(String, @Sendable (Data) -> Void)] = [
        entry(Message.self), entry(Conversation.self), entry(Membership.self), entry(User.self), entry(Attachment.self),
        entry(QuotedMessagePreview.self), entry(ErrorEnvelope.self), entry(ErrorBody.self),
        entry(ConversationCreateRequest.self), entry(ConversationUpdateRequest.self), entry(AddMembersRequest.self),
        entry(MarkReadRequest.self), entry(JSONValue.self), entry(MessageDeletedEvent.self), entry(ReactionEvent.self),
        entry(MemberReadEvent.self), entry(TypingEvent.self), entry(MentionEvent.self),
        entry(ConversationUpdatedEvent.self), entry(PresenceMeta.self), entry(PresenceEntry.self),
        entry(PresenceDiff.self), entry(PresenceState.self), entry(UserCreateRequest.self),
        entry(UserUpdateRequest.self), entry(TokenRequest.self), entry(TokenResponse.self),
        entry(MessageCreateRequest.self), entry(MessageUpdateRequest.self), entry(ReactionRequest.self),
        entry(AttachmentUploadRequest.self), entry(AttachmentUploadResponse.self), entry(UploadInstructions.self),
        entry(DownloadURLResponse.self), entry(DataList<Message>.self), entry(DataList<Conversation>.self),
        entry(DataList<Membership>.self),
    ]

    static func entry<T: Codable & SendableMetatype>(_ type: T.Type) -> (String, @Sendable (Data) -> Void) {
        ("\(type)", { data in
            guard let value = try? WireCoding.decoder.decode(T.self, from: data) else { return }
            _ = try? WireCoding.encoder.encode(value)
        })
    }
}

/// SplitMix64: a fixed seed gives the same inputs on every run, so a failure reproduces.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
