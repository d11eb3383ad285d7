import Foundation
import Testing

/// `poolse demo` as a person runs it: a server in the process, two users, a transcript.
@Suite("poolse demo")
struct RealtimeDemoTests {
    @Test func theDemoShowsTwoUsersChattingInRealTime() throws {
        let (status, output) = try CommandLineTests.run(["demo", "--pace", "0"])
        #expect(status == 0, "\(output)")
        // What each user's SDK delivered. Lines of two users may interleave either way, so
        // order is checked only where one causes the other.
        let delivered = [
            "ben    ⇠ presence: ann, ben online",
            "ann    ⇠ presence: ben came online",
            "ben    ⇠ ann is typing…",
            "ben    ⇠ #1 ann: “Hi Ben! Are we still on for Saturday?”",
            "ben    ⇠ ann stopped typing",
            "ann    ⇠ ben is typing…",
            "ann    ⇠ #2 ben: “Yes! I'll bring the coffee ☕”",
            "ann    ⇠ ben reacted 👍 to #1",
            "ben    ⇠ ann read up to #2",
            "ann    ⇠ presence: ben went offline",
            "realtime events delivered through the SDK",
        ]
        for line in delivered { #expect(output.contains(line), "\(line)\n\(output)") }
        let causes = [
            ("ann    → “Hi Ben!", "ben    ⇠ #1 ann"),
            ("ben    → “Yes!", "ann    ⇠ #2 ben"),
            ("ben    reacts 👍 to #1", "ann    ⇠ ben reacted 👍 to #1"),
            ("ann    marks #2 as read", "ben    ⇠ ann read up to #2"),
            ("ben    closes the app", "ann    ⇠ presence: ben went offline"),
        ]
        for (cause, effect) in causes {
            guard let first = output.range(of: cause), let second = output.range(of: effect) else { continue }
            #expect(first.lowerBound < second.lowerBound, "\(cause) before \(effect)")
        }
        #expect(!output.contains("error"), "the transcript is the only output")
    }

    @Test func apiURLAndAPIKeyGoTogether() throws {
        let (status, output) = try CommandLineTests.run(["demo", "--api-url", "http://127.0.0.1:1"])
        #expect(status != 0)
        #expect(output.contains("--api-url and --api-key go together"))
    }
}
