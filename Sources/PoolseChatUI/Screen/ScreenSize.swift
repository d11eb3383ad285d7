/// A terminal's size in character cells.
public struct ScreenSize: Equatable, Sendable {
    /// Width in cells.
    public var columns: Int
    /// Height in cells.
    public var rows: Int
    /// Creates a size.
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The smallest terminal the layout fits; below it the screen says so.
    public static let minimum = ScreenSize(columns: 40, rows: 8)

    /// Columns of the conversation list: a third, between 16 and 30.
    var listWidth: Int { min(30, max(16, columns / 3)) }
    /// Columns of the message pane (right of the list and its border).
    var paneWidth: Int { columns - listWidth - 1 }
    /// Rows between the top border and the bottom border.
    var bodyRows: Int { rows - 5 }
    /// Rows of messages under the pane's title line.
    var messageRows: Int { bodyRows - 1 }
}
