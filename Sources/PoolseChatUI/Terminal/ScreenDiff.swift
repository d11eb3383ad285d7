/// The ANSI output that turns one drawn screen into the next: only the rows that changed
/// are written (each row is a full-width line, so writing it replaces the old one), then
/// the cursor is put where the input line needs it.
public enum ScreenDiff {
    /// The bytes to write to go from `previous` (nil: nothing known, clear first) to `next`.
    public static func output(from previous: ChatRenderer.Screen?, to next: ChatRenderer.Screen) -> String {
        var out = "\u{1B}[?25l"  // hide the cursor while drawing, so it does not flicker across
        if previous == nil || previous?.lines.count != next.lines.count { out += "\u{1B}[2J" }
        for (row, line) in next.lines.enumerated() {
            if let previous, previous.lines.count == next.lines.count, previous.lines[row] == line { continue }
            out += "\u{1B}[\(row + 1);1H" + line
        }
        out += "\u{1B}[\(next.cursorRow + 1);\(next.cursorColumn + 1)H\u{1B}[?25h"
        return out
    }
}
