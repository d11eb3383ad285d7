/// One key press, as the terminal reports it.
public enum Key: Equatable, Sendable {
    /// A printable character, one Unicode scalar as typed (the input line joins an emoji modifier or a combining mark to its base).
    case character(Character)
    /// Editing and control keys (`backTab` is Shift-Tab).
    case enter, tab, backTab, backspace, delete, escape
    /// Cursor and paging keys.
    case up, down, left, right, home, end, pageUp, pageDown
    /// Ctrl plus a letter, lowercase (`control("c")` is Ctrl-C).
    case control(Character)
    /// Bytes that form no key we know (an unknown escape sequence), dropped by the UI.
    case unknown([UInt8])
}
