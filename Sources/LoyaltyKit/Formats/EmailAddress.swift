/// Email addresses as a sending system accepts them: a practical subset of RFC 5321.
///
/// Accepted: `local@domain`, at most 254 bytes, one `@`; a local part of 1–64 bytes of letters,
/// digits and ``!#$%&'*+-/=?^_`{|}~`` with single dots between them; a domain of two or more
/// labels of letters, digits and hyphens (no hyphen first or last, at most 63 bytes each) whose
/// last label has two characters or more and is not all digits. Surrounding spaces are trimmed and the domain is lowercased;
/// the local part keeps its case (RFC 5321 leaves it to the receiving server).
///
/// Left out on purpose: quoted local parts, IP-literal domains, comments and non-ASCII
/// (internationalised) addresses, which few sending systems take. A local part may not start with
/// `=`, `+`, `-` or `@` either: RFC 5321 allows it, but a spreadsheet runs such a cell as a
/// formula, and feeds write addresses verbatim, so a valid address is never a formula.
///
///     EmailAddress.normalized("  Anna.Berg@Example.COM ")  // .success("Anna.Berg@example.com")
///     EmailAddress.normalized("=cmd|'/C calc'!A0@example.com")  // .failure(.formulaLeader("="))
public enum EmailAddress {
    public static let maximumBytes = 254
    public static let maximumLocalBytes = 64

    /// The address in its stored form, or why it is not one.
    public static func normalized(_ text: String) -> Result<String, AddressProblem> {
        var text = text
        return text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumBytes) { buffer in
                normalize(bytes, into: buffer).map { String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<$0]), as: UTF8.self) }
            }
        }
    }

    /// Writes the stored form into `output` (room for `maximumBytes`) and returns its length.
    /// - Complexity: O(bytes), no allocation: ingest checks every customer's address with it.
    public static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Result<Int, AddressProblem> {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard start < end else { return .failure(.empty) }
        // First, so a formula payload is named for what it is whatever else is wrong with it.
        let first = bytes[start]
        if first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            return .failure(.formulaLeader(Character(Unicode.Scalar(first))))
        }
        guard end - start <= maximumBytes else { return .failure(.tooLong(bytes: end - start, maximum: maximumBytes)) }
        var at = -1
        for index in start..<end {
            let byte = bytes[index]
            if byte >= 0x80 { return .failure(.nonASCII) }
            if byte <= 0x20 || byte == 0x7F { return .failure(.spaceOrControl) }
            if byte == UInt8(ascii: "@") {
                guard at < 0 else { return .failure(.moreThanOneAt) }
                at = index
            }
        }
        guard at >= 0 else { return .failure(.noAt) }
        if let problem = localPartProblem(UnsafeBufferPointer(rebasing: bytes[start..<at])) { return .failure(problem) }
        let domainStart = at + 1
        if let problem = domainProblem(UnsafeBufferPointer(rebasing: bytes[domainStart..<end])) { return .failure(problem) }
        for index in start..<end {
            let byte = bytes[index]
            output[index - start] = index > at && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
        }
        return .success(end - start)
    }

    /// `localPart` is ASCII without spaces or control characters (checked by the caller).
    private static func localPartProblem(_ localPart: UnsafeBufferPointer<UInt8>) -> AddressProblem? {
        guard !localPart.isEmpty else { return .emptyLocalPart }
        guard localPart.count <= maximumLocalBytes else { return .localPartTooLong(bytes: localPart.count, maximum: maximumLocalBytes) }
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in localPart {
            if byte == UInt8(ascii: ".") {
                if previous == UInt8(ascii: ".") { return .misplacedDot }
            } else if !isAtext(byte) {
                return .notAllowed(Character(Unicode.Scalar(byte)))
            }
            previous = byte
        }
        return previous == UInt8(ascii: ".") ? .misplacedDot : nil
    }

    private static func domainProblem(_ domain: UnsafeBufferPointer<UInt8>) -> AddressProblem? {
        guard !domain.isEmpty else { return .emptyDomain }
        var labels = 0, labelStart = 0
        for index in 0...domain.count {
            guard index == domain.count || domain[index] == UInt8(ascii: ".") else { continue }
            let label = UnsafeBufferPointer(rebasing: domain[labelStart..<index])
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                return .badDomainLabel(String(decoding: label, as: UTF8.self))
            }
            labels += 1
            if index == domain.count {
                if labels < 2 { return .domainWithoutDot }
                if label.count < 2 || label.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    return .badTopLevelDomain(String(decoding: label, as: UTF8.self))
                }
            }
            labelStart = index + 1
        }
        return nil
    }

    /// RFC 5322 `atext`: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    private static func isAtext(_ byte: UInt8) -> Bool {
        if isLetterOrDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
