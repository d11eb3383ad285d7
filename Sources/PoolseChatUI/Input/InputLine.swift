/// The line being typed and its cursor. Kept as the text before and after the cursor, so
/// an emoji modifier or a combining mark typed after its base joins it as one character.
public struct InputLine: Equatable, Sendable {
    /// The text left of the cursor.
    public private(set) var beforeCursor: String
    /// The text right of the cursor.
    public private(set) var afterCursor: String

    /// A line holding `text` with the cursor at its end.
    public init(_ text: String = "") {
        beforeCursor = text
        afterCursor = ""
    }

    /// The whole line.
    public var text: String { beforeCursor + afterCursor }
    /// True when nothing is typed.
    public var isEmpty: Bool { beforeCursor.isEmpty && afterCursor.isEmpty }
    /// The cursor's position in characters from the start.
    public var cursor: Int { beforeCursor.count }

    /// Types `character` at the cursor.
    public mutating func insert(_ character: Character) { beforeCursor.append(character) }
    /// Deletes the character left of the cursor.
    public mutating func backspace() { if !beforeCursor.isEmpty { beforeCursor.removeLast() } }
    /// Deletes the character under the cursor.
    public mutating func deleteForward() { if !afterCursor.isEmpty { afterCursor.removeFirst() } }
    /// Moves the cursor one character left.
    public mutating func moveLeft() {
        guard let last = beforeCursor.popLast() else { return }
        afterCursor.insert(last, at: afterCursor.startIndex)
    }
    /// Moves the cursor one character right.
    public mutating func moveRight() {
        guard let first = afterCursor.first else { return }
        afterCursor.removeFirst()
        beforeCursor.append(first)
    }
    /// Moves the cursor to the start.
    public mutating func moveHome() {
        afterCursor = beforeCursor + afterCursor
        beforeCursor = ""
    }
    /// Moves the cursor to the end.
    public mutating func moveEnd() {
        beforeCursor += afterCursor
        afterCursor = ""
    }
    /// Empties the line.
    public mutating func clear() { self = InputLine() }
}
