import Foundation
import Testing

@testable import PoolseWire

@Suite("RFC 3339 microsecond timestamps")
struct WireTimeTests {
    @Test func formatsWithMicrosecondsInUTC() {
        #expect(WireTime.format(micros: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(WireTime.format(micros: 1_795_939_200_123_456) == "2026-11-29T08:00:00.123456Z")
        #expect(WireTime.format(micros: -1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func parsesFractionsOffsetsAndRoundTrips() {
        #expect(WireTime.parseMicros("2026-11-29T08:00:00.123456Z") == 1_795_939_200_123_456)
        #expect(WireTime.parseMicros("2026-11-29T08:00:00Z") == 1_795_939_200_000_000)
        #expect(WireTime.parseMicros("2026-11-29T09:00:00.5+01:00") == 1_795_939_200_500_000)
        for micros: Int64 in [0, 1, 951_782_400_000_001, 4_102_444_799_999_999] {
            #expect(WireTime.parseMicros(WireTime.format(micros: micros)) == micros)
        }
    }

    @Test func rejectsWhatIsNotATimestamp() {
        for text in ["", "2026-11-29", "2026-13-01T00:00:00Z", "2026-11-29T08:00:00", "2026-11-29T08:00:00.Z",
                     "2026-11-29T08:00:00Zjunk"] {
            #expect(WireTime.parseMicros(text) == nil, "\(text)")
        }
    }

    @Test func datesSurviveTheWireCoders() throws {
        let date = WireTime.date(micros: 1_795_939_200_123_456)
        let data = try WireCoding.encoder.encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-11-29T08:00:00.123456Z"]"#)
        #expect(WireTime.micros(try WireCoding.decoder.decode([Date].self, from: data)[0]) == 1_795_939_200_123_456)
    }
}
