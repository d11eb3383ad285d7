/// Lays messages out as screen lines for a pane of a given width: shared by the renderer
/// (to draw) and the key handler (to scroll to the selection), so both agree.
public enum MessageLayout {
    /// One drawn line and the index of the message it belongs to.
    public struct Line: Equatable, Sendable {
        /// The line, exactly as wide as the pane.
        public var text: String
        /// The index of its message in the rows (-1 for a header line).
        public var message: Int
    }

    /// The lines of `rows` in `width` columns, oldest first. Each message is
    /// "HH:mm sender: text" wrapped under itself, then a line of extras (edited, reactions,
    /// replies, files, delivery) when it has any. Column 0–1 marks the selected message.
    /// `header`, when given, is a first line of its own (message index -1), such as the
    /// hint that older messages exist.
    public static func lines(_ rows: [MessageRow], selected: String?, width: Int, header: String? = nil) -> [Line] {
        var lines: [Line] = header.map { [Line(text: TextLayout.fit($0, width: width), message: -1)] } ?? []
        for (index, row) in rows.enumerated() {
            let marker = row.id == selected ? "▸ " : "  "
            let sender = TextLayout.sanitize(row.sender)
            let prefix = "\(row.time) \(sender): "
            let prefixWidth = TextWidth.columns(of: prefix)
            // A long sender name would leave no room: the text then starts on the next line.
            let indent = prefixWidth <= (width - 2) / 2 ? prefixWidth : 4
            let bodyWidth = max(1, width - 2 - indent)
            let body = row.isDeleted ? "(message deleted)" : TextLayout.sanitize(row.body ?? "", keepingLineBreaks: true)
            var bodyLines = body.isEmpty ? [""] : TextLayout.wrap(body, width: bodyWidth)
            if indent != prefixWidth {
                lines.append(Line(text: TextLayout.fit(marker + prefix, width: width), message: index))
            } else {
                let first = bodyLines.removeFirst()
                lines.append(Line(text: TextLayout.fit(marker + prefix + first, width: width), message: index))
            }
            let pad = String(repeating: " ", count: 2 + indent)
            for line in bodyLines { lines.append(Line(text: TextLayout.fit(pad + line, width: width), message: index)) }
            let extras = extras(of: row)
            if !extras.isEmpty {
                for line in TextLayout.wrap(extras, width: bodyWidth) {
                    lines.append(Line(text: TextLayout.fit(pad + line, width: width), message: index))
                }
            }
        }
        return lines
    }

    /// "edited · 👍 2 ❤️ 1 · 3 replies · 📎 a.pdf (12 KB) · sending…", or "".
    static func extras(of row: MessageRow) -> String {
        var parts: [String] = []
        if row.isEdited && !row.isDeleted { parts.append("(edited)") }
        if !row.reactions.isEmpty {
            parts.append(row.reactions.map { "\(TextLayout.sanitize($0.emoji)) \($0.count)" }.joined(separator: " "))
        }
        if row.replyCount > 0 { parts.append(row.replyCount == 1 ? "1 reply" : "\(row.replyCount) replies") }
        // A no-break space keeps the clip with its file name when the line wraps.
        for file in row.attachments { parts.append("📎\u{A0}\(TextLayout.sanitize(file.name)) (\(file.sizeText))") }
        switch row.delivery {
        case .sent: break
        case .pending: parts.append("sending…")
        case .failed(let reason): parts.append("✗ not sent: \(TextLayout.sanitize(reason))")
        }
        return parts.joined(separator: " · ")
    }

    /// The scroll (lines up from the bottom) that keeps `scroll` where it is unless the
    /// selected message would be off the `visible` lines, then the least change that shows it.
    public static func scroll(_ scroll: Int, showing selected: String?, in lines: [Line], rows: [MessageRow],
                              visible: Int) -> Int {
        let maximum = max(0, lines.count - visible)
        var scroll = min(max(0, scroll), maximum)
        guard let selected, let index = rows.firstIndex(where: { $0.id == selected }),
              let first = lines.firstIndex(where: { $0.message == index }),
              let last = lines.lastIndex(where: { $0.message == index }) else { return scroll }
        let bottom = lines.count - scroll  // one past the last visible line
        let top = bottom - visible
        if first < top { scroll = lines.count - (first + visible) }
        if last >= bottom { scroll = lines.count - (last + 1) }
        return min(max(0, scroll), maximum)
    }
}
