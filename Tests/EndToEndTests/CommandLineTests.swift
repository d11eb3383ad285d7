import Foundation
import PoolseTestSupport
import Testing

/// Runs the built `poolse` executable the way an operator would.
@Suite("The poolse command line")
struct CommandLineTests {
    /// `swift build --build-tests` puts the executable next to the test bundle.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("poolse")
    }

    static func run(_ arguments: [String], input: FileHandle? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let input { process.standardInput = input }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try ProcessLaunch.run(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func tenantKeyAndTokenVerbsWorkOnOneDataDirectory() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("poolse-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let created = try Self.run(["tenant", "create", "acme", "--data-dir", dataDir])
        #expect(created.status == 0, "\(created.output)")
        let keyLines = created.output.split(separator: "\n").filter { $0.hasPrefix("pk_live_") }
        #expect(keyLines.count == 1)
        #expect(keyLines.first?.count == 48, "the key stands alone on its line")

        let second = try Self.run(["key", "create", "acme", "--label", "ci", "--data-dir", dataDir])
        #expect(second.status == 0)
        #expect(second.output.hasPrefix("pk_live_"))

        let listed = try Self.run(["key", "list", "acme", "--data-dir", dataDir])
        #expect(listed.output.split(separator: "\n").count == 2)
        #expect(!listed.output.contains(String(keyLines.first ?? "")), "listings never show a whole key")

        let prefix = String(second.output.prefix(16))
        #expect(try Self.run(["key", "revoke", prefix, "--data-dir", dataDir]).status == 0)
        #expect(try Self.run(["key", "list", "acme", "--data-dir", dataDir]).output.contains("revoked"))
        #expect(try Self.run(["key", "revoke", prefix, "--data-dir", dataDir]).status != 0)

        let token = try Self.run(["user", "token", "alice", "--data-dir", dataDir])
        #expect(token.status == 0, "\(token.output)")
        #expect(token.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/jwt-keys"), "generated keys live in the database")
        #expect(FileManager.default.fileExists(atPath: dataDir + "/poolse.sqlite3"))

        let rotated = try Self.run(["signing-key", "rotate", "--data-dir", dataDir])
        #expect(rotated.status == 0, "\(rotated.output)")
        let kid = try #require(rotated.output.split(separator: " ").dropFirst(2).first.map(String.init))
        let afterRotation = try Self.run(["user", "token", "alice", "--data-dir", dataDir])
        #expect(afterRotation.status == 0)
        #expect(try JWTHeader.kid(of: afterRotation.output) == kid, "the new key signs")
        #expect(try JWTHeader.kid(of: token.output) != kid)
    }

    @Test func helpExplainsTheServerOptions() throws {
        let help = try Self.run(["serve", "--help"])
        for option in ["--host", "--port", "--data-dir", "--database-url", "--jwt-secrets", "POOLSE_PORT"] {
            #expect(help.output.contains(option), "serve --help mentions \(option)")
        }
    }
}

/// Reads the `kid` of a JWT's header (tests only; nothing is verified).
enum JWTHeader {
    static func kid(of token: String) throws -> String? {
        let header = String(token.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").first ?? "")
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let data = try #require(Data(base64Encoded: base64))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["kid"] as? String
    }
}
