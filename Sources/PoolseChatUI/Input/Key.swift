/// One key press, as the terminal reports it.
public enum Key: Equatable, Sendable {
    /// A printable character (a whole grapheme's first scalar group as typed).
    case character(Character)
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    /// Ctrl plus a letter, lowercase (`control("c")` is Ctrl-C).
    case control(Character)
    /// Bytes that form no key we know (an unknown escape sequence), dropped by the UI.
    case unknown([UInt8])
}
