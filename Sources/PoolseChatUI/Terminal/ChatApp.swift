import PoolseState

/// `poolse chat` itself: the terminal in raw mode on the alternate screen, keys and
/// resizes in, the rendered screen out (only the lines that changed), until the user
/// quits. The terminal is restored on every way out: a return, a thrown error, a signal
/// or a crash (see ``TerminalMode``).
public enum ChatApp {
    /// Runs the chat for `session`'s user until they quit; `me` is their external id.
    /// - Throws: ``TerminalMode/Failure`` when there is no terminal.
    @MainActor
    public static func run(session: PoolseSession, me: String) async throws {
        try TerminalMode.enter()
        defer { TerminalMode.restore() }
        var size = TerminalOutput.size() ?? ScreenSize(columns: 80, rows: 24)
        let controller = ChatController(session: session, me: me, size: size)
        var shown: ChatRenderer.Screen?
        func draw() {
            let screen = ChatRenderer.render(controller.state, size: size)
            guard screen != shown else { return }
            TerminalOutput.write(ScreenDiff.output(from: shown, to: screen))
            shown = screen
        }
        controller.onChange = { draw() }
        draw()
        for await event in TerminalInput.events() {
            switch event {
            case .resized(let newSize):
                size = newSize
                controller.size = newSize
                shown = nil  // everything moves: repaint all
            case .key(.control("l")):
                shown = nil
            case .key(let key):
                guard controller.handle(key) else {
                    controller.stop()
                    return
                }
            }
            draw()
        }
        controller.stop()
    }
}
