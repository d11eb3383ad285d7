import Foundation
import Testing

@testable import PoolseWire

@Suite("Payload decoding is lenient and encoding is exact")
struct PayloadTests {
    @Test func unknownFieldsAndUnknownKindsAreIgnored() throws {
        let json = """
            {"id":"m1","conversation_id":"c1","sender_id":"u1","sender_external_id":"alice","type":"poll",
             "body":"hi","sequence":3,"inserted_at":"2026-11-29T08:00:00.000001Z","updated_at":"2026-11-29T08:00:00Z",
             "future_field":{"nested":[1,2]}}
            """
        let message = try WireCoding.decoder.decode(Message.self, from: Data(json.utf8))
        #expect(message.type.rawValue == "poll")
        #expect(message.mentions.isEmpty)
        #expect(message.reactions.isEmpty)
        #expect(message.attachments == nil)
        #expect(message.sequence == 3)
    }

    @Test func updateRequestsTellAbsentFromNull() throws {
        let absent = try WireCoding.decoder.decode(ConversationUpdateRequest.self, from: Data(#"{}"#.utf8))
        #expect(absent.name == nil)
        let cleared = try WireCoding.decoder.decode(ConversationUpdateRequest.self, from: Data(#"{"name":null}"#.utf8))
        #expect(cleared.name == .some(nil))
        let set = try WireCoding.decoder.decode(ConversationUpdateRequest.self, from: Data(#"{"name":"x"}"#.utf8))
        #expect(set.name == .some("x"))
        let encoded = try WireCoding.encoder.encode(ConversationUpdateRequest(name: .some(nil)))
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"name":null}"#)
    }

    @Test func presenceDiffsApplyLikePhoenixPresence() {
        let a1 = PresenceMeta(phxRef: "a1", onlineAt: 1, externalId: "alice")
        let a2 = PresenceMeta(phxRef: "a2", onlineAt: 2, externalId: "alice")
        let b1 = PresenceMeta(phxRef: "b1", onlineAt: 3, externalId: "bob")
        var state: PresenceState = ["a": PresenceEntry(metas: [a1])]
        state = state.applying(PresenceDiff(joins: ["a": PresenceEntry(metas: [a2]), "b": PresenceEntry(metas: [b1])], leaves: [:]))
        #expect(state["a"]?.metas.map(\.phxRef) == ["a1", "a2"])
        state = state.applying(PresenceDiff(joins: [:], leaves: ["a": PresenceEntry(metas: [a1]), "b": PresenceEntry(metas: [b1])]))
        #expect(state["a"]?.metas.map(\.phxRef) == ["a2"])
        #expect(state["b"] == nil)
    }

    @Test func phoenixFramesRoundTripAndRejectJunk() throws {
        let frame = PhoenixFrame(joinRef: "1", ref: "2", topic: "conversation:c", event: "phx_join", payload: [:])
        let text = String(decoding: try frame.encoded(), as: UTF8.self)
        #expect(text == #"["1","2","conversation:c","phx_join",{}]"#)
        #expect(try PhoenixFrame.decode(Data(text.utf8)) == frame)
        let heartbeat = try PhoenixFrame.decode(Data(#"[null,"5","phoenix","heartbeat",{}]"#.utf8))
        #expect(heartbeat.joinRef == nil)
        #expect(heartbeat.reply(status: "ok").payload == ["status": "ok", "response": [:]])
        for junk in ["", "{}", "[1,2,3]", #"[null,null,5,"e",{}]"#, #"[null,null,"t",null,{}]"#, "[[],null,\"t\",\"e\",{}]"] {
            #expect(throws: PhoenixFrame.DecodeError.self) { try PhoenixFrame.decode(Data(junk.utf8)) }
        }
    }

    @Test func errorEnvelopeUsesWireNames() throws {
        let envelope = ErrorEnvelope(error: ErrorBody(code: "validation_failed", message: "body: can't be blank",
                                                      docURL: "http://x/docs/errors#validation_failed",
                                                      details: ["body": ["can't be blank"]]))
        let json = try WireCoding.decoder.decode(JSONValue.self, from: WireCoding.encoder.encode(envelope))
        #expect(json.objectValue?["error"]?.objectValue?["doc_url"]?.stringValue == "http://x/docs/errors#validation_failed")
    }
}
