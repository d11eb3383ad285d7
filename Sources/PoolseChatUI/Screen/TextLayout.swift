/// Cutting, padding and wrapping text by terminal columns (``TextWidth``), never by
/// characters or bytes, so a line with emoji or CJK is exactly as wide as asked.
public enum TextLayout {
    /// `text` in exactly `width` columns: cut with "…" when too long, padded with spaces.
    /// A wide character that would straddle the edge is replaced by a space.
    public static func fit(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        let total = TextWidth.columns(of: text)
        if total <= width { return text + String(repeating: " ", count: width - total) }
        let (head, used) = prefix(text, columns: width - 1)
        return head + "…" + String(repeating: " ", count: width - 1 - used)
    }

    /// The longest start of `text` that fits in `columns`, and the columns it takes.
    public static func prefix(_ text: some StringProtocol, columns: Int) -> (String, Int) {
        var result = "", used = 0
        for character in text {
            let width = TextWidth.columns(of: character)
            if used + width > columns { break }
            result.append(character)
            used += width
        }
        return (result, used)
    }

    /// The end of `text` that fits in `columns` (for an input line scrolled to its cursor).
    public static func suffix(_ text: some StringProtocol, columns: Int) -> String {
        var result = "", used = 0
        for character in text.reversed() {
            let width = TextWidth.columns(of: character)
            if used + width > columns { break }
            result.insert(character, at: result.startIndex)
            used += width
        }
        return result
    }

    /// `text` broken into lines of at most `width` columns: at spaces where it can, inside
    /// a word that is longer than a line, and at every line break of the text.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = "", lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = Substring(word)
                let separator = line.isEmpty ? 0 : 1
                let wordWidth = TextWidth.columns(of: word)
                if lineWidth + separator + wordWidth <= width {
                    if separator == 1 { line += " " }
                    line += word
                    lineWidth += separator + wordWidth
                    continue
                }
                if !line.isEmpty {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                // A word longer than a line is cut wherever the line ends.
                while TextWidth.columns(of: word) > width {
                    let (head, _) = prefix(word, columns: width)
                    guard !head.isEmpty else { word = word.dropFirst(); continue }
                    lines.append(head)
                    word = word.dropFirst(head.count)
                }
                line = String(word)
                lineWidth = TextWidth.columns(of: word)
            }
            lines.append(line)
        }
        return lines
    }

    /// `text` with every control character (escape sequences included) replaced by "�",
    /// so a message cannot move the cursor or change the terminal; tabs become a space and
    /// line breaks are kept when `keepingLineBreaks`.
    public static func sanitize(_ text: String, keepingLineBreaks: Bool = false) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingLineBreaks: result.unicodeScalars.append(scalar)
            case 0x09, 0x0A, 0x0D: result.unicodeScalars.append(" ")
            case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029: result.unicodeScalars.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
