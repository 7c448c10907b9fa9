/// Writes RFC 4180 CSV: fields quoted only when they hold a comma, quote, CR or LF; rows end in CRLF
/// is what RFC 4180 says, but every spreadsheet and BI tool reads LF and diffs stay readable, so LF.
///
/// Text cells can be escaped against formula injection: a spreadsheet runs a cell that starts with
/// `=`, `+`, `-`, `@`, tab or CR as a formula, so such a text gets a leading `'` (OWASP's advice).
/// Numbers and dates go through `raw(_:)` and are never escaped: `-3` is a number, not a formula.
///
///     let csv = CSVWriter(to: output, escapeFormulas: true)
///     csv.row(["id", "name"]); csv.text("=1+1"); csv.raw("-3"); csv.endRow()
///     // id,name\n'=1+1,-3\n
public final class CSVWriter {
    private let output: FileOutput
    private let escapeFormulas: Bool
    private var atRowStart = true
    public private(set) var rowsWritten = 0

    public init(to output: FileOutput, escapeFormulas: Bool) {
        self.output = output
        self.escapeFormulas = escapeFormulas
    }

    /// A writer whose rows stay in memory until another writer `append`s them.
    public static func inMemory(escapeFormulas: Bool) -> CSVWriter {
        CSVWriter(to: .inMemory(), escapeFormulas: escapeFormulas)
    }

    /// Appends the whole rows of an in-memory writer, and empties it for reuse.
    public func append(_ rows: CSVWriter) throws {
        precondition(atRowStart && rows.atRowStart, "appending in the middle of a row")
        try output.write(bytes: rows.output.contents)
        rowsWritten += rows.rowsWritten
        rows.output.removeAll()
        rows.rowsWritten = 0
    }

    /// A text cell; `nil` is an empty cell.
    public func text(_ value: String?) throws {
        guard var value else { return try separator() }
        try value.withUTF8 { try text(bytes: $0) }
    }

    /// A text cell of UTF-8 bytes (made without a `String`), escaped and quoted as `text(_:)` does.
    public func text(bytes: UnsafeBufferPointer<UInt8>) throws {
        try separator()
        guard let first = bytes.first else { return }
        try emit(bytes, escaped: escapeFormulas && CSVWriter.isFormulaLeader(first))
    }

    /// A number, date or other cell that is not free text: quoted if it must be, never escaped.
    public func raw(_ value: String?) throws {
        try separator()
        guard let value, !value.isEmpty else { return }
        try emit(value)
    }

    /// A whole number, written without making a `String`.
    public func integer(_ value: Int64?) throws {
        try separator()
        guard let value else { return }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var magnitude = value.magnitude
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            try output.write(bytes: UnsafeBufferPointer(rebasing: buffer[position...]))
        }
    }

    public func integer(_ value: Int?) throws { try integer(value.map(Int64.init)) }

    /// Money in minor units (optionally an average: `minor / dividedBy`) with 2 decimals, half away from zero.
    public func money(_ minor: Int64?, dividedBy divisor: Int64 = 1) throws {
        try separator()
        guard let minor else { return }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            let count = Money.write(minor, dividedBy: divisor, decimals: 2, into: buffer)
            try output.write(bytes: UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// A UTC timestamp `YYYY-MM-DDTHH:MM:SSZ` from seconds since the epoch.
    public func timestamp(_ seconds: Int64?) throws {
        try separator()
        guard let seconds else { return }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            CivilDate.writeTimestamp(seconds, into: buffer)
            try output.write(bytes: UnsafeBufferPointer(buffer))
        }
    }

    /// A real number in the shortest form that reads back as the same binary64 value (never
    /// needs quoting, so it skips the quoting scan).
    public func real(_ value: Double?) throws {
        guard let value else { return try separator() }
        try cell(atMost: NumberFormat.shortestMaximumLength) { NumberFormat.writeShortest(value, into: $0) }
    }

    /// A cell `fill` writes straight into the buffer (at most `maximum` bytes; it returns how
    /// many), for values made by the pipeline that never need quoting or escaping.
    public func cell(atMost maximum: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) throws {
        try separator()
        try output.write(atMost: maximum, fill)
    }

    public func endRow() throws {
        try output.write(byte: UInt8(ascii: "\n"))
        atRowStart = true
        rowsWritten += 1
    }

    /// A whole row of text cells (a header, or rows of strings).
    public func row(_ cells: [String?]) throws {
        for cell in cells { try text(cell) }
        try endRow()
    }

    private func separator() throws {
        if atRowStart {
            atRowStart = false
        } else {
            try output.write(byte: UInt8(ascii: ","))
        }
    }

    private func emit(_ value: String) throws {
        var value = value
        try value.withUTF8 { try emit($0, escaped: false) }
    }

    /// - Parameter escaped: a `'` goes before the text (inside the quotes, when it is quoted).
    private func emit(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) throws {
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if needsQuotes { try output.write(byte: 0x22) }
        if escaped { try output.write(byte: UInt8(ascii: "'")) }
        guard needsQuotes else { return try output.write(bytes: bytes) }
        // Quoted: the text between quotes goes out whole, each inner quote doubled.
        var start = 0
        for index in bytes.indices where bytes[index] == 0x22 {
            try output.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...index]))
            try output.write(byte: 0x22)
            start = index + 1
        }
        try output.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
        try output.write(byte: 0x22)
    }

    /// `=`, `+`, `-`, `@`, tab or CR: a spreadsheet runs a cell starting with one as a formula.
    private static func isFormulaLeader(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }
}
