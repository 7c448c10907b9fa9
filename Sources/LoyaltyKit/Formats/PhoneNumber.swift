/// Phone numbers in E.164 form, the one SMS gateways take: `+`, the country code, the number,
/// 8 to 15 digits in all, nothing else.
///
/// Spaces, `-`, `.`, `/` and parentheses are separators and go; `(0)` right after the country code
/// (as in `+49 (0)30 1234567`) goes too. The international prefix in front (`PhoneRules
/// .internationalPrefix`: `00`, or `011` in North America) stands for `+`. Any other number is
/// national: the trunk prefix (`PhoneRules.trunkPrefix`, "0" in most of Europe) is dropped and
/// `PhoneRules.countryCode` goes in front; without a country code it is not valid.
///
///     let rules = PhoneRules(countryCode: "49")
///     PhoneNumber.normalized("030 / 123 456-7", rules: rules)   // .success("+49301234567")
///     PhoneNumber.normalized("+49 (0)30 1234567", rules: rules) // .success("+49301234567")
///     PhoneNumber.normalized("0049 30 1234567", rules: rules)   // .success("+49301234567")
public enum PhoneNumber {
    public static let digitRange = 8...15
    /// `+` and at most 15 digits.
    public static let maximumBytes = 16

    public static func normalized(_ text: String, rules: PhoneRules) -> Result<String, AddressProblem> {
        var text = text
        return text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumBytes) { buffer in
                normalize(bytes, rules: rules, into: buffer).map { String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<$0]), as: UTF8.self) }
            }
        }
    }

    /// Writes the E.164 form into `output` (room for `maximumBytes`) and returns its length.
    /// - Complexity: O(bytes), no allocation: ingest checks every customer's number with it.
    public static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, rules: PhoneRules,
                                 into output: UnsafeMutableBufferPointer<UInt8>) -> Result<Int, AddressProblem> {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard start < end else { return .failure(.empty) }
        let international = rules.internationalPrefix.utf8
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            // The digits as read while they fit; a number too long for E.164 is only counted on.
            var count = 0
            func startsInternational() -> Bool {
                !international.isEmpty && count >= international.count && zip(international, digits).allSatisfy { $0 == $1 }
            }
            let plus = bytes[start] == UInt8(ascii: "+")
            var index = plus ? start + 1 : start
            while index < end {
                let byte = bytes[index]
                if byte >= 0x30 && byte <= 0x39 {
                    if count < digits.count { digits[count] = byte }
                    count += 1
                } else if byte == UInt8(ascii: "(") && index + 2 < end && bytes[index + 1] == 0x30 && bytes[index + 2] == UInt8(ascii: ")")
                            && (plus ? (1...3).contains(count) : startsInternational() && (1...3).contains(count - international.count)) {
                    // "+49 (0)30 …": the national trunk 0 written after the country code.
                    index += 2
                } else if byte == UInt8(ascii: "+") {
                    return .failure(.misplacedPlus)
                } else if !(byte == 0x20 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
                            || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")) {
                    let character = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self).first ?? "?"
                    return .failure(.phoneCharacter(character))
                }
                index += 1
            }
            var prefix: String.UTF8View?
            var skip = 0
            if plus {
                skip = 0
            } else if startsInternational() {
                skip = international.count
            } else {
                guard let countryCode = rules.countryCode else { return .failure(.nationalWithoutCountryCode) }
                prefix = countryCode.utf8
                let trunk = rules.trunkPrefix.utf8
                if !trunk.isEmpty && count >= trunk.count && zip(trunk, digits).allSatisfy({ $0 == $1 }) { skip = trunk.count }
            }
            let total = (prefix?.count ?? 0) + count - skip
            guard digitRange.contains(total) else { return .failure(.digitCount(total)) }
            guard (prefix?.first ?? digits[skip]) != 0x30 else { return .failure(.countryCodeZero) }
            output[0] = UInt8(ascii: "+")
            var position = 1
            for digit in prefix ?? "".utf8 {
                output[position] = digit
                position += 1
            }
            for index in skip..<count {
                output[position] = digits[index]
                position += 1
            }
            return .success(1 + total)
        }
    }
}

/// How phone numbers are read (`ingest.phone_country_code`, `ingest.phone_trunk_prefix`,
/// `ingest.phone_international_prefix`). Each is a few ASCII digits (the configuration checks it).
public struct PhoneRules: Equatable, Sendable {
    /// Digits put before a national number, e.g. "49"; nil: a national number is not valid.
    public var countryCode: String?
    /// Dropped from the front of a national number before the country code goes on; "" for none.
    public var trunkPrefix: String
    /// Dialled before a country code from inside the country: "00" in most of the world, "011" in
    /// North America.
    public var internationalPrefix: String

    public init(countryCode: String? = nil, trunkPrefix: String = "0", internationalPrefix: String = "00") {
        self.countryCode = countryCode
        self.trunkPrefix = trunkPrefix
        self.internationalPrefix = internationalPrefix
    }
}
