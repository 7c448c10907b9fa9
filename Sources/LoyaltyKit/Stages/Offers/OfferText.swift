/// An offer's reason or evidence, made by string interpolation straight into UTF-8 bytes:
/// offers.csv holds two such texts for each of two million offers a night, and a `String` per
/// interpolated piece (a date, a decimal, a percentage) cost most of that file's time. Dates,
/// money, percentages and decimals are interpolated with a label:
///
///     let text: OfferText = "bought on \(date: day): \(percent: 0.34) of orders, \(decimal: 2.1349)"
///     // "bought on 2026-11-07: 34% of orders, 2.13"
struct OfferText: ExpressibleByStringInterpolation, CustomStringConvertible, Equatable {
    private(set) var bytes: [UInt8]

    init(stringLiteral value: String) {
        bytes = Array(value.utf8)
    }

    init(stringInterpolation: StringInterpolation) {
        bytes = stringInterpolation.bytes
    }

    static let empty: OfferText = ""

    var description: String { String(decoding: bytes, as: UTF8.self) }

    /// Joins two texts (for texts too long for one line of code).
    static func + (first: OfferText, second: OfferText) -> OfferText {
        var joined = first
        joined.bytes += second.bytes
        return joined
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            bytes.append(contentsOf: literal.utf8)
        }

        mutating func appendInterpolation(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        mutating func appendInterpolation(_ text: OfferText) {
            bytes.append(contentsOf: text.bytes)
        }

        mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) {
            let value = Int64(number)
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            appendDigits(value.magnitude, width: 1)
        }

        mutating func appendInterpolation(_ flag: Bool) {
            appendLiteral(flag ? "true" : "false")
        }

        /// `YYYY-MM-DD` of a day number.
        mutating func appendInterpolation(date day: Int64) {
            let (year, month, dayOfMonth) = CivilDate.civil(day)
            appendDigits(UInt64(max(0, year)), width: 4)
            bytes.append(UInt8(ascii: "-"))
            appendDigits(UInt64(month), width: 2)
            bytes.append(UInt8(ascii: "-"))
            appendDigits(UInt64(dayOfMonth), width: 2)
        }

        /// Money in minor units with 2 decimals.
        mutating func appendInterpolation(money minor: Int64) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
                let count = Money.write(minor, dividedBy: 1, decimals: 2, into: buffer)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<count]))
            }
        }

        /// A ratio as a whole percentage: 0.3412 → "34%".
        mutating func appendInterpolation(percent ratio: Double) {
            appendInterpolation(Int64((ratio * 100).rounded()))
            bytes.append(UInt8(ascii: "%"))
        }

        /// Two decimals, half away from zero: 2.1349 → "2.13".
        mutating func appendInterpolation(decimal value: Double) {
            let hundredths = Int64((value * 100).rounded())
            if hundredths < 0 { bytes.append(UInt8(ascii: "-")) }
            appendDigits(hundredths.magnitude / 100, width: 1)
            bytes.append(UInt8(ascii: "."))
            appendDigits(hundredths.magnitude % 100, width: 2)
        }

        private mutating func appendDigits(_ value: UInt64, width: Int) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
                var value = value, position = buffer.count
                repeat {
                    position -= 1
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                } while value > 0 || buffer.count - position < width
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position...]))
            }
        }
    }
}
