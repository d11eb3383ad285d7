import Foundation
import Testing

/// The call options of `poolse serve`, as an operator meets them.
@Suite("The poolse command line: call options")
struct CallCommandLineTests {
    @Test func helpListsTheCallOptions() throws {
        let help = try CommandLineTests.run(["serve", "--help"])
        for flag in ["--stun-url", "--turn-url", "--turn-secret", "--turn-ttl", "--livekit-url", "--livekit-api-key",
                     "--livekit-api-secret"] {
            #expect(help.output.contains(flag), "\(flag) is missing from serve --help")
        }
    }

    @Test func incompleteTurnOrSFUSettingsAreRefusedBeforeTheServerStarts() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let turn = try CommandLineTests.run(["serve", "--data-dir", dataDir, "--port", "0", "--turn-url", "turn:t.example.com"])
        #expect(turn.status != 0)
        #expect(turn.output.contains("--turn-url needs --turn-secret"))
        let sfu = try CommandLineTests.run(["serve", "--data-dir", dataDir, "--port", "0", "--livekit-url", "wss://sfu.example.com"])
        #expect(sfu.status != 0)
        #expect(sfu.output.contains("--livekit-api-key"))
        let ttl = try CommandLineTests.run(["serve", "--data-dir", dataDir, "--port", "0", "--turn-ttl", "0"])
        #expect(ttl.status != 0)
        #expect(ttl.output.contains("--turn-ttl must be a positive number"))
    }
}
