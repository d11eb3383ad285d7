import Foundation
import PoolseWire
import Testing

@Suite("JSON text reader and writer")
struct JSONTextTests {
    @Test func readsWhatJSONDecoderReads() throws {
        let text = #"""
        {"a": [1, -2.5, 3e2, 0, true, false, null], "b": {"c": "d\"e\\f\/g\n\t\u00e9\ud83d\ude00"}, "": []}
        """#
        let fast = try JSONValue.parse(text)
        let slow = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(fast == slow)
        #expect(fast.objectValue?["b"]?.objectValue?["c"]?.stringValue == "d\"e\\f/g\n\té😀")
    }

    @Test func writesTextThatReadsBackTheSame() throws {
        let value: JSONValue = [
            "id": "x/y", "n": 42, "big": 12_345_678_901, "half": 0.5, "neg": -7, "t": true, "nil": nil,
            "nested": ["list": [1, "two", ["three": 3]]], "control": "a\u{01}b\rc", "emoji": "😀",
        ]
        let text = value.jsonText
        #expect(try JSONValue.parse(text) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == value)
        // Whole numbers are written as integers, as `WireCoding.encoder` writes them.
        #expect(JSONValue.number(42).jsonText == "42")
        #expect(JSONValue.number(0.5).jsonText == "0.5")
        #expect(JSONValue.string("a\u{01}").jsonText == #""a\u0001""#)
        #expect(JSONValue.string("x/y").jsonText == #""x/y""#)
    }

    @Test func rejectsWhatIsNotJSON() {
        let bad = ["", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul",
                   "\"abc", "\"a\u{01}\"", "\"\\x\"", "[1] 2", "{'a':1}", "\"\\u12\""]
        for text in bad {
            let result = try? JSONValue.parse(text)
            #expect(result == nil, "parsed \(text.debugDescription)")
        }
    }

    @Test func acceptsSurroundingWhitespaceAndLoneSurrogates() throws {
        #expect(try JSONValue.parse(" \n[ ]\t") == .array([]))
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test func limitsNestingDepth() throws {
        let deep = String(repeating: "[", count: JSONValue.maximumDepth + 2) + String(repeating: "]", count: JSONValue.maximumDepth + 2)
        let tooDeep = try? JSONValue.parse(deep)
        #expect(tooDeep == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try JSONValue.parse(fine) != .null)
    }

    @Test func framesRoundTripThroughTheFastPath() throws {
        let frame = PhoenixFrame(joinRef: "1", ref: "2", topic: "conversation:abc", event: "message:new",
                                 payload: ["body": "hé \"quoted\"", "sequence": 3])
        let decoded = try PhoenixFrame.decode(try frame.encoded())
        #expect(decoded == frame)
    }
}
