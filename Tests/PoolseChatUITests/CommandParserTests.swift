import PoolseChatUI
import Testing

@Suite("Command parser")
struct CommandParserTests {
    private func parse(_ line: String) throws -> ChatCommand { try CommandParser.parse(line) }

    private func refusal(_ line: String) -> String? {
        do {
            _ = try CommandParser.parse(line)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func plainTextIsAMessage() throws {
        #expect(try parse("hello there") == .message("hello there"))
        #expect(try parse("//etc/hosts is a path") == .message("/etc/hosts is a path"))
    }

    @Test func newTakesANameOfSeveralWordsAndHandles() throws {
        #expect(try parse("/new Saturday plans @bob @carol") == .newGroup(name: "Saturday plans", members: ["bob", "carol"]))
        #expect(try parse("/new Solo") == .newGroup(name: "Solo", members: []))
        #expect(refusal("/new @bob")?.contains("name comes first") == true)
        #expect(try parse("/new Team bob") == .newGroup(name: "Team bob", members: []), "a word without @ is part of the name")
        #expect(refusal("/new Team @bob carol")?.contains("@name") == true)
        #expect(refusal("/new " + String(repeating: "x", count: 101))?.contains("100") == true)
    }

    @Test func peopleCommands() throws {
        #expect(try parse("/dm @bob") == .direct("bob"))
        #expect(refusal("/dm bob")?.contains("@name") == true)
        #expect(refusal("/dm @bob @carol") == "usage: /dm @bob")
        #expect(try parse("/add @dave @eve") == .add(["dave", "eve"]))
        #expect(refusal("/add") != nil)
    }

    @Test func messageCommands() throws {
        #expect(try parse("/react 👍") == .react("👍"))
        #expect(refusal("/react") != nil)
        #expect(try parse("/reply sounds good") == .reply("sounds good"))
        #expect(refusal("/reply") != nil)
        #expect(try parse("/thread") == .thread)
        #expect(refusal("/thread now") == "/thread takes no arguments")
        #expect(try parse("/edit fixed typo") == .edit("fixed typo"))
        #expect(try parse("/edit") == .edit(nil))
        #expect(try parse("/delete") == .delete)
    }

    @Test func filesSearchQuitHelp() throws {
        #expect(try parse("/upload ./a.pdf the report") == .upload(path: "./a.pdf", caption: "the report"))
        #expect(try parse("/upload a.pdf") == .upload(path: "a.pdf", caption: nil))
        #expect(refusal("/upload") != nil)
        #expect(try parse("/download") == .download(directory: nil))
        #expect(try parse("/download /tmp") == .download(directory: "/tmp"))
        #expect(try parse("/search quarterly report") == .search("quarterly report"))
        #expect(try parse("/quit") == .quit)
        #expect(try parse("?") == .help)
        #expect(try parse("/help") == .help)
    }

    @Test func unknownCommandsAndEmptyLinesAreRefused() {
        #expect(refusal("/frobnicate") == "unknown command /frobnicate: ? lists the commands")
        #expect(refusal("   ") == "nothing to send")
        #expect(refusal("/") != nil)
    }
}
