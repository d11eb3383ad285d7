import Foundation

/// RFC 3339 UTC timestamps with microseconds (`2026-11-29T08:00:00.123456Z`), the
/// protocol's only time format. Hand-written rather than `ISO8601DateFormatter`
/// because that formatter stops at milliseconds and is slow on the server's hot path.
public enum WireTime {
    /// Microseconds since the Unix epoch for a `Date`, rounded to the nearest microsecond and
    /// clamped to what an `Int64` holds (a `Date` built from hostile input must not trap).
    public static func micros(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        if let exact = Int64(exactly: value) { return exact }
        return value.isNaN ? 0 : (value < 0 ? Int64.min : Int64.max)
    }

    /// The `Date` for microseconds since the Unix epoch.
    public static func date(micros: Int64) -> Date {
        // Split to keep the sub-second part exact in the Double.
        let seconds = micros.floorDiv(1_000_000)
        let fraction = micros - seconds * 1_000_000
        return Date(timeIntervalSince1970: Double(seconds) + Double(fraction) / 1_000_000)
    }

    /// Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public static func format(micros: Int64) -> String {
        let seconds = micros.floorDiv(1_000_000)
        let fraction = Int(micros - seconds * 1_000_000)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(fromDays: days)
        var out = ""
        out.reserveCapacity(27)
        out += pad(year, 4); out += "-"; out += pad(month, 2); out += "-"; out += pad(day, 2)
        out += "T"; out += pad(secondOfDay / 3600, 2); out += ":"; out += pad(secondOfDay / 60 % 60, 2)
        out += ":"; out += pad(secondOfDay % 60, 2); out += "."; out += pad(fraction, 6); out += "Z"
        return out
    }

    /// Formats a `Date`.
    public static func format(_ date: Date) -> String { format(micros: micros(date)) }

    /// Parses RFC 3339 timestamps: any fraction length (or none), `Z` or a numeric offset.
    /// Returns nil for anything else.
    public static func parseMicros(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20,
              b[13] == 0x3A, b[16] == 0x3A,
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0
        if index < b.count, b[index] == 0x2E {
            index += 1
            var scale = 100_000
            let start = index
            while index < b.count, (0x30...0x39).contains(b[index]) {
                fraction += Int(b[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            if index == start { return nil }
        }
        guard index < b.count else { return nil }
        var offsetSeconds = 0
        if b[index] == 0x5A || b[index] == 0x7A {
            index += 1
        } else if b[index] == 0x2B || b[index] == 0x2D, index + 6 <= b.count, b[index + 3] == 0x3A,
                  let oh = digits(b, index + 1, 2), let om = digits(b, index + 4, 2) {
            offsetSeconds = (oh * 3600 + om * 60) * (b[index] == 0x2D ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1_000_000 + Int64(fraction)
    }

    /// Parses a timestamp into a `Date`.
    public static func parse(_ text: String) -> Date? {
        parseMicros(text).map { date(micros: $0) }
    }

    private static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<(start + count) {
            guard i < bytes.count, (0x30...0x39).contains(bytes[i]) else { return nil }
            value = value * 10 + Int(bytes[i] - 0x30)
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilDate(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
