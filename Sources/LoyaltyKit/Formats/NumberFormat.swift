import Foundation

/// How outputs write numbers that are not money.
public enum NumberFormat {
    /// The shortest decimal that reads back as the same binary64 value (the contract's rule for
    /// ratios), e.g. 0.1, 0.3333333333333333, 2.0, 1e-05.
    public static func shortest(_ value: Double) -> String {
        value.description
    }

    /// `value` to 3 significant digits, without an exponent, for people reading a line
    /// (`loyalty explain`, offer reasons): 0.022245 → "0.0222", 1.7649 → "1.76", 12,345 → "12300".
    public static func forPeople(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        guard value != 0 else { return "0" }
        var exponent = Int(floor(log10(abs(value))))
        // Outside ordinary magnitudes the exponent form is the readable one.
        guard (-30...20).contains(exponent) else { return String(format: "%.3g", value) }
        var mantissa = Int((abs(value) / pow(10, Double(exponent - 2))).rounded())
        if mantissa >= 1000 {
            // 9.996 rounds up to 10.0: one digit more before the point, one fewer after it.
            exponent += 1
            mantissa = Int((abs(value) / pow(10, Double(exponent - 2))).rounded())
        } else if mantissa < 100 {
            exponent -= 1
            mantissa = Int((abs(value) / pow(10, Double(exponent - 2))).rounded())
        }
        let digits = String(mantissa)
        let sign = value < 0 ? "-" : ""
        if exponent >= 2 { return sign + digits + String(repeating: "0", count: exponent - 2) }
        if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits }
        return sign + digits.prefix(exponent + 1) + "." + digits.dropFirst(exponent + 1)
    }

    /// Room `writeShortest` needs at most ("-2.2250738585072014e-308" is 24 bytes).
    public static let shortestMaximumLength = 32

    /// Writes exactly the bytes of `shortest(value)` into `buffer` (at least `shortestMaximumLength`
    /// bytes) and returns their count. Large outputs hold millions of ratios, and making a `String`
    /// for each cost more than computing its digits. `Double.write(to:)` is the standard library's
    /// own formatter behind `description`, so the two cannot disagree (a test compares them).
    @inline(__always)
    public static func writeShortest(_ value: Double, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
        var window = ByteWindow(start: buffer, capacity: shortestMaximumLength)
        // `write(to:)` spells a NaN with its payload ("snan(0x…)"); `description` says "nan".
        if value.isNaN {
            window.write(value.description)
        } else {
            value.write(to: &window)
        }
        return window.count
    }
}

/// A text stream over a fixed byte buffer. The standard library hands a number's ASCII digits to
/// `_writeASCII` as bytes; without it they would arrive as a `String` (still correct, only slower).
private struct ByteWindow: TextOutputStream {
    let start: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { _writeASCII($0) }
    }

    mutating func _writeASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= capacity, "a number longer than \(capacity) bytes")
        guard let base = bytes.baseAddress else { return }
        (start + count).update(from: base, count: bytes.count)
        count += bytes.count
    }
}
