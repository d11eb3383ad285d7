import Foundation
import Testing
import PoolseTestSupport

/// Two people chat through two `poolse chat` processes, each in its own tmux terminal,
/// against a live server: what they see is read back with `tmux capture-pane`.
@Suite("poolse chat in a terminal")
struct ChatTerminalTests {
    @Test(.enabled(if: Tmux.shouldRun, "tmux is not installed (apt-get install tmux)"), .timeLimit(.minutes(3)))
    func twoUsersChatLiveInTwoTerminals() async throws {
        try await ServerFixture.run { server in
            let tmux = Tmux()
            defer { tmux.stop() }
            try await Self.startAnnAndBen(in: tmux, url: server.url, apiKey: server.apiKey)

            // ann creates the group and writes in it.
            try tmux.type("ann", "/new Saturday @ben")
            try tmux.press("ann", "Enter")
            try await tmux.waitFor("ann", "the open group") { $0.contains("│ Saturday · ann, ben") }
            try tmux.type("ann", "Hi Ben! Still on for Saturday? 日本語 👍")
            try tmux.press("ann", "Enter")
            try await tmux.waitFor("ann", "her own message") { $0.contains("ann: Hi Ben! Still on for Saturday? 日本語 👍") }

            // ben sees it arrive in his list, unread, without opening anything.
            let benList = try await tmux.waitFor("ben", "the group with one unread message") { screen in
                screen.split(separator: "\n").contains { $0.contains("Saturday") && $0.contains("(1)│") }
            }
            #expect(benList.contains("   Hi Ben! Still on for Satur…│"), "the list previews the last message, cut to fit")

            // He opens it: the message shows and the unread count goes.
            try tmux.press("ben", "Enter")
            try await tmux.waitFor("ben", "ann's message") { $0.contains("ann: Hi Ben! Still on for Saturday? 日本語 👍") }
            try await tmux.waitFor("ben", "the unread count cleared by reading") { !$0.contains("(1)│") }

            // While he types, ann sees the typing line; then his reply.
            try tmux.type("ben", "Yes! I'll bring the coffee")
            try await tmux.waitFor("ann", "ben's typing line") { $0.contains(" ben is typing…") }
            try tmux.type("ben", " ☕")
            try tmux.press("ben", "Enter")
            let annScreen = try await tmux.waitFor("ann", "ben's reply") { $0.contains("ben: Yes! I'll bring the coffee ☕") }
            #expect(annScreen.contains("ann: Hi Ben! Still on for Saturday? 日本語 👍"), "both messages, in order")
            let lines = annScreen.split(separator: "\n")
            let first = try #require(lines.firstIndex { $0.contains("ann: Hi Ben!") })
            let second = try #require(lines.firstIndex { $0.contains("ben: Yes! I'll bring") })
            #expect(first < second)
            try await tmux.waitFor("ann", "the typing line gone after the message") { !$0.contains("is typing…") }

            // A smaller terminal: everything is drawn again at the new width.
            try tmux.run(["resize-window", "-t", "ann", "-x", "64", "-y", "18"])
            let resized = try await tmux.waitFor("ann", "the screen redrawn 64 columns wide") { screen in
                screen.split(separator: "\n").contains { $0.hasPrefix("─") && $0.count == 64 }
            }
            #expect(resized.contains("ann: Hi Ben! Still on for"), "the messages wrap to the new width")
            #expect(resized.contains("ben: Yes! I'll bring the"))

            // Quitting gives the terminal back: the process ends and tmux closes the session.
            try tmux.press("ben", "C-c")
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, (try? tmux.run(["has-session", "-t", "ben"])) != nil {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((try? tmux.run(["has-session", "-t", "ben"])) == nil, "Ctrl-C ends poolse chat")
        }
    }
}

extension ChatTerminalTests {
    /// Sessions "ann" and "ben", 100×24, each running `poolse chat` signed in through the
    /// API key, once both show they are connected.
    static func startAnnAndBen(in tmux: Tmux, url: URL, apiKey: String) async throws {
        for user in ["ann", "ben"] {
            let command = "exec '\(CommandLineTests.executable.path)' chat --api-url \(url.absoluteString) "
                + "--api-key \(apiKey) --as \(user)"
            try tmux.start(user, columns: 100, rows: 24, command: command)
        }
        for user in ["ann", "ben"] {
            try await tmux.waitFor(user, "the connected header") { $0.contains("poolse · \(user)   ● connected") }
        }
    }

    /// Runs `poolse chat` without a terminal (standard input from /dev/null).
    private static func runWithoutTerminal(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try CommandLineTests.run(["chat"] + arguments, input: FileHandle.nullDevice)
    }

    @Test func signInOptionsAreCheckedBeforeAnythingStarts() throws {
        let none = try Self.runWithoutTerminal(["--api-url", "http://127.0.0.1:9"])
        #expect(none.status != 0)
        #expect(none.output.contains("exactly one of --api-key, --token or --data-dir"))
        let two = try Self.runWithoutTerminal(["--api-url", "http://127.0.0.1:9", "--token", "t", "--api-key", "k", "--as", "a"])
        #expect(two.output.contains("exactly one of"))
        let noUser = try Self.runWithoutTerminal(["--api-url", "http://127.0.0.1:9", "--api-key", "k"])
        #expect(noUser.output.contains("--as ID"))
        let badURL = try Self.runWithoutTerminal(["--api-url", "nonsense", "--token", "t"])
        #expect(badURL.output.contains("--api-url must be a URL"))
    }

    @Test func withoutATerminalItSaysSoAndLeavesTheTerminalAlone() throws {
        let result = try Self.runWithoutTerminal(["--api-url", "http://127.0.0.1:9", "--token", "t"])
        #expect(result.status != 0)
        #expect(result.output.contains("poolse chat needs a terminal"))
        #expect(!result.output.contains("\u{1B}["), "no escape sequences when there is no screen")
    }

    @Test(.enabled(if: Tmux.shouldRun, "tmux is not installed (apt-get install tmux)"), .timeLimit(.minutes(3)))
    func aSendMadeWhileTheServerIsDownGoesOutOnceWhenItReturns() async throws {
        let server = try ServeProcess()
        defer { server.remove() }
        try await server.start()
        let tmux = Tmux()
        defer { tmux.stop() }
        try await Self.startAnnAndBen(in: tmux, url: server.url, apiKey: server.apiKey)
        try tmux.type("ann", "/new Outage @ben")
        try tmux.press("ann", "Enter")
        try await tmux.waitFor("ann", "the open group") { $0.contains("│ Outage · ann, ben") }
        try tmux.type("ann", "before the outage")
        try tmux.press("ann", "Enter")
        try await tmux.waitFor("ben", "the new group") { $0.contains("Outage") }
        try tmux.press("ben", "Enter")
        try await tmux.waitFor("ben", "ann's first message") { $0.contains("ann: before the outage") }

        server.kill()
        try await tmux.waitFor("ann", "the reconnecting header") { $0.contains("◌ reconnecting…") }
        try tmux.type("ann", "sent while offline")
        try tmux.press("ann", "Enter")
        try tmux.type("ann", "half typed")
        try await tmux.waitFor("ann", "the queued send") { screen in
            screen.contains("✉ 1 waiting to send") && screen.contains("sending…") && screen.contains("> half typed")
        }

        try await server.start()
        let annScreen = try await tmux.waitFor("ann", "the send delivered after the reconnect", timeout: .seconds(60)) { screen in
            screen.contains("● connected") && !screen.contains("sending…") && !screen.contains("waiting to send")
        }
        #expect(annScreen.contains("> half typed"), "what was being typed survives the outage")
        let benScreen = try await tmux.waitFor("ben", "the message sent during the outage", timeout: .seconds(60)) {
            $0.contains("ann: sent while offline")
        }
        for screen in [annScreen, benScreen] {
            #expect(screen.components(separatedBy: "ann: sent while offline").count == 2, "exactly once:\n\(screen)")
            #expect(screen.components(separatedBy: "ann: before the outage").count == 2, "no duplicate after the catch-up")
        }
    }
}
