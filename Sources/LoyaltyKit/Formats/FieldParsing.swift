/// Why one field could not be read; the reject reason quotes it.
public enum FieldError: Error, Equatable, CustomStringConvertible {
    case notANumber
    case tooManyDecimals(Int)
    case notAWholeNumber
    case outOfRange
    case notADate
    case notATimestamp
    case notABoolean

    public var description: String {
        switch self {
        case .notANumber: return "not a number (expected digits with an optional '-' and '.' decimals, e.g. 12.50)"
        case let .tooManyDecimals(limit): return "more than \(limit) decimals"
        case .notAWholeNumber: return "not a whole number"
        case .outOfRange: return "number out of range"
        case .notADate: return "not a valid date (expected YYYY-MM-DD)"
        case .notATimestamp: return "not a valid timestamp (expected YYYY-MM-DDTHH:MM:SS with optional Z or ±HH:MM)"
        case .notABoolean: return "not a boolean (expected true/false, 1/0, yes/no or empty)"
        }
    }
}

/// Parsers that read straight from a field's bytes, with no `String` made on the hot path.
public enum FieldParser {
    /// Reads a decimal number into an integer scaled by 10^`scale` (money: scale 4, minor units of
    /// 1/10,000). Exact: "3.10" is 31,000 whatever binary floating point would make of it.
    @inline(__always)
    public static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, scale: Int) throws(FieldError) -> Int64 {
        var index = 0
        let count = bytes.count
        while index < count, bytes[index] == 0x20 { index += 1 }
        var end = count
        while end > index, bytes[end - 1] == 0x20 { end -= 1 }
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        var decimals = -1
        while index < end {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                if decimals >= 0 {
                    decimals += 1
                    if decimals > scale {
                        // Trailing zeros beyond the scale change nothing ("1.50000").
                        if byte != 0x30 { throw .tooManyDecimals(scale) }
                        index += 1
                        continue
                    }
                }
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - 0x30))
                if overflow1 || overflow2 { throw .outOfRange }
                value = sum
                digits += 1
            } else if byte == UInt8(ascii: ".") && decimals < 0 {
                decimals = 0
            } else {
                throw .notANumber
            }
            index += 1
        }
        guard digits > 0 else { throw .notANumber }
        var remaining = scale - max(decimals, 0)
        while remaining > 0 {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { throw .outOfRange }
            value = scaled
            remaining -= 1
        }
        return negative ? -value : value
    }

    /// Reads a whole number; "2.0" is accepted as 2 (exports from spreadsheets write it so).
    @inline(__always)
    public static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> Int64 {
        let scaled = try decimal(bytes, scale: 4)
        guard scaled % 10_000 == 0 else { throw .notAWholeNumber }
        return scaled / 10_000
    }

    /// Reads `YYYY-MM-DD` into days since 1970-01-01, rejecting impossible dates (2026-02-30).
    @inline(__always)
    public static func date(_ bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> Int64 {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { throw .notADate }
        guard let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2) else {
            throw .notADate
        }
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else {
            throw .notADate
        }
        return CivilDate.days(year: year, month: month, day: day)
    }

    /// A parsed ISO 8601 timestamp: seconds since the epoch as written, and the zone offset if one was.
    public struct Timestamp: Equatable {
        public var localSeconds: Int64
        public var offsetSeconds: Int64?
    }

    /// Reads `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]`, or a bare date (midnight).
    @inline(__always)
    public static func timestamp(_ bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> Timestamp {
        guard bytes.count >= 10 else { throw .notATimestamp }
        let day: Int64
        do {
            day = try date(UnsafeBufferPointer(rebasing: bytes[0..<10]))
        } catch {
            throw .notATimestamp
        }
        if bytes.count == 10 { return Timestamp(localSeconds: day * 86_400, offsetSeconds: nil) }
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"),
              let hour = digits(bytes, 11, 2), let minute = digits(bytes, 14, 2), hour < 24, minute < 60
        else { throw .notATimestamp }
        var index = 16
        var second = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard let parsed = digits(bytes, 17, 2), parsed < 61 else { throw .notATimestamp }
            second = min(parsed, 59)
            index = 19
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                guard index > fractionStart else { throw .notATimestamp }
            }
        }
        let local = day * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        guard index < bytes.count else { return Timestamp(localSeconds: local, offsetSeconds: nil) }
        let sign = bytes[index]
        if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
            guard index + 1 == bytes.count else { throw .notATimestamp }
            return Timestamp(localSeconds: local, offsetSeconds: 0)
        }
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let offsetHours = digits(bytes, index + 1, 2) else {
            throw .notATimestamp
        }
        var offsetMinutes = 0
        let rest = bytes.count - (index + 3)
        if rest == 3, bytes[index + 3] == UInt8(ascii: ":"), let minutes = digits(bytes, index + 4, 2) {
            offsetMinutes = minutes
        } else if rest == 2, let minutes = digits(bytes, index + 3, 2) {
            offsetMinutes = minutes
        } else if rest != 0 {
            throw .notATimestamp
        }
        guard offsetHours <= 18, offsetMinutes < 60 else { throw .notATimestamp }
        let offset = Int64(offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        return Timestamp(localSeconds: local, offsetSeconds: offset)
    }

    /// Reads a consent flag: true/false, 1/0, yes/no in any case; empty is false.
    @inline(__always)
    public static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> Bool {
        if bytes.isEmpty { return false }
        var word: UInt64 = 0
        guard bytes.count <= 5 else { throw .notABoolean }
        for byte in bytes {
            let lower = (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
            word = word << 8 | UInt64(lower)
        }
        switch word {
        case 0x74_72_75_65, 0x31, 0x79_65_73: return true // "true", "1", "yes"
        case 0x66_61_6C_73_65, 0x30, 0x6E_6F: return false // "false", "0", "no"
        default: throw .notABoolean
        }
    }

    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after
/// Howard Hinnant's `days_from_civil`: exact, branch-light, and free of Foundation's Calendar cost.
public enum CivilDate {
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day of the week of a day number: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public static func weekdayIndex(_ days: Int64) -> Int {
        Int(((days + 3) % 7 + 7) % 7)
    }

    /// `YYYY-MM-DD`.
    public static func format(_ days: Int64) -> String {
        let (year, month, day) = civil(days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC).
    public static func formatTimestamp(_ seconds: Int64) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            writeTimestamp(seconds, into: buffer)
            return String(decoding: UnsafeBufferPointer(buffer), as: UTF8.self)
        }
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` (20 ASCII bytes, years 0–9999) into `buffer`.
    @inline(__always)
    public static func writeTimestamp(_ seconds: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = Int(seconds - days * 86_400)
        let (year, month, day) = civil(days)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(rest / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(rest / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(rest % 60, 2, at: 17)
        buffer[19] = UInt8(ascii: "Z")
    }

    /// Parses `YYYY-MM-DD` from text (configuration, command line).
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { try? FieldParser.date($0) }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Money in exact integer minor units of 1/10,000 (the contract allows 4 decimals).
public enum Money {
    public static let scale: Int64 = 10_000

    /// Formats with `decimals` places, rounding half away from zero: 12.345 → "12.35", -0.005 → "-0.01".
    public static func format(_ minor: Int64, decimals: Int = 2) -> String {
        format(minor, dividedBy: 1, decimals: decimals)
    }

    /// Formats `minor / divisor` (an average, say) exactly, rounding half away from zero once.
    public static func format(_ minor: Int64, dividedBy divisor: Int64, decimals: Int = 2) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            let count = write(minor, dividedBy: divisor, decimals: decimals, into: buffer)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    /// Writes the formatted amount as ASCII into `buffer` (32 bytes suffice) and returns its length:
    /// output writers call this per cell without making a `String`.
    @inline(__always)
    public static func write(_ minor: Int64, dividedBy divisor: Int64, decimals: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(decimals >= 0 && decimals <= 4 && divisor > 0)
        var scale: UInt64 = UInt64(divisor)
        for _ in 0..<(4 - decimals) { scale *= 10 }
        // round(x / s) = ⌊(2x + s) / 2s⌋, in integers so no half is ever misjudged.
        let magnitude = minor.magnitude
        var rounded = (2 * magnitude + scale) / (2 * scale)
        let negative = minor < 0 && rounded != 0
        // Digits right to left from the end of the buffer, then moved to its front.
        var position = buffer.count
        var written = 0
        repeat {
            if written == decimals && decimals > 0 {
                position -= 1
                buffer[position] = UInt8(ascii: ".")
            }
            position -= 1
            buffer[position] = UInt8(ascii: "0") + UInt8(rounded % 10)
            rounded /= 10
            written += 1
        } while rounded > 0 || written <= decimals
        if negative {
            position -= 1
            buffer[position] = UInt8(ascii: "-")
        }
        let count = buffer.count - position
        for index in 0..<count { buffer[index] = buffer[position + index] }
        return count
    }
}
