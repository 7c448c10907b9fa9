/// Text for report.html: escaping and number formats. Every number goes through integer
/// rounding here rather than a locale-dependent formatter, so the same figures give the same
/// bytes on every machine (the page is compared byte for byte between runs).
enum ReportText {
    /// Escapes text for element content and for attribute values in double quotes. Segment,
    /// product and category names come from customer data, so nothing from data reaches the page
    /// without this.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `value` with at most `places` decimals, trailing zeros dropped: 12.25 → "12.3" (1 place),
    /// 40.0 → "40", −0.04 → "0". For SVG coordinates, where a tenth of a unit is invisible.
    static func number(_ value: Double, places: Int = 1) -> String {
        let text = fixed(value, places: places)
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// `value` with exactly `places` decimals, rounded half away from zero from its binary value
    /// (1.005 is stored just below, so "1.00"); the same value always gives the same text.
    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        // Beyond 2^53 a Double holds no exact integer and Int64 would trap: far past any chart's figure.
        guard scaled < 9e15 else { return value < 0 ? "-" + String(Int64(9e15)) : String(Int64(9e15)) }
        let units = Int64(scaled)
        let negative = value < 0 && units != 0
        let digits = String(units)
        var text: String
        if places == 0 {
            text = digits
        } else {
            let padded = digits.count > places ? digits : String(repeating: "0", count: places + 1 - digits.count) + digits
            text = String(padded.dropLast(places)) + "." + String(padded.suffix(places))
        }
        if negative { text = "-" + text }
        return text
    }

    /// Thousands separated by commas: 1234567 → "1,234,567".
    static func grouped(_ integer: Int) -> String {
        let digits = String(integer.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return integer < 0 ? "-" + text : text
    }

    /// A count with its noun, singular for one: "1 customer", "2,500 customers".
    static func counted(_ count: Int, _ noun: String) -> String {
        "\(grouped(count)) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Money from exact minor units, 2 decimals (the project's rounding), thousands grouped.
    static func money(_ minor: Int64, dividedBy divisor: Int64 = 1) -> String {
        groupedDecimal(Money.format(minor, dividedBy: divisor))
    }

    /// Money from a real number of currency units (cluster centroids are means in units).
    static func money(units: Double) -> String {
        groupedDecimal(fixed(units, places: 2))
    }

    /// A short amount for axes and tight cells: 950, 12.5k, 3.4M.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 999_950 { return number(value / 1_000_000) + "M" }
        if magnitude >= 999.5 { return number(value / 1_000) + "k" }
        return number(value, places: magnitude < 10 ? 1 : 0)
    }

    /// A share as a percentage: 0.1234 → "12.3%".
    static func percent(_ share: Double, places: Int = 1) -> String {
        fixed(share * 100, places: places) + "%"
    }

    /// A difference of two shares in percentage points: 0.021 → "+2.1 pp".
    static func points(_ difference: Double) -> String {
        let text = fixed(difference * 100, places: 1)
        return (text.hasPrefix("-") || text == "0.0" ? text : "+" + text) + " pp"
    }

    private static func groupedDecimal(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let body = negative ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", maxSplits: 1)
        let whole = grouped(Int(parts[0]) ?? 0)
        return (negative ? "-" : "") + whole + (parts.count > 1 ? "." + parts[1] : "")
    }
}
