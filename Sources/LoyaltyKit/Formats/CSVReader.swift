import Foundation

/// A streaming RFC 4180 reader: quoted fields with commas, doubled quotes and line breaks, CRLF or
/// LF, a UTF-8 byte order mark, blank lines skipped. Columns are matched by header name.
///
/// Written by hand over raw bytes because ingest is the pipeline's hottest loop: unquoted spans are
/// copied with one memcpy and no `String` is made unless a loader keeps the value.
///
/// - Complexity: O(bytes); memory is one chunk plus the longest record.
public final class CSVReader {
    private let source: ByteSource
    private let path: String
    private let chunkSize: Int

    public init(source: ByteSource, path: String, chunkSize: Int = 1 << 20) {
        self.source = source
        self.path = path
        self.chunkSize = chunkSize
    }

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    /// Reads the header, checks the required columns, then calls `body` once per data row with the
    /// fields in the order of `columns` (absent columns read as empty).
    ///
    /// - Throws: `LoyaltyError.unreadableInput` for a missing required column, a duplicated column,
    ///   an unterminated quote or bytes that are not UTF-8; errors thrown by `body` pass through.
    public func read(columns: [String], required: Set<String>, _ body: (InputRecord) throws -> Void) throws {
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: max(chunkSize, 4))
        var atStart = true
        defer { chunk.deallocate() }
        let record = RecordBuffer()
        var columnMap: [Int]? = nil
        var starts = [Int](repeating: -1, count: columns.count)
        var ends = [Int](repeating: -1, count: columns.count)
        var headerCount = 0

        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var inRecord = false
        var state = State.fieldStart

        func emit() throws {
            defer {
                record.reset()
                inRecord = false
            }
            try checkUTF8(record, line: recordLine)
            guard let map = columnMap else {
                columnMap = try mapHeader(record, columns: columns, required: required)
                headerCount = record.fieldStarts.count
                return
            }
            let found = record.fieldStarts.count
            for column in 0..<columns.count {
                let index = map[column]
                if index >= 0 && index < found {
                    starts[column] = record.fieldStarts[index]
                    ends[column] = record.fieldEnds[index]
                } else {
                    starts[column] = -1
                    ends[column] = -1
                }
            }
            try starts.withUnsafeBufferPointer { startPointer in
                try ends.withUnsafeBufferPointer { endPointer in
                    let row = InputRecord(
                        line: recordLine, storage: UnsafePointer(record.storage),
                        starts: startPointer.baseAddress!, ends: endPointer.baseAddress!,
                        columnCount: columns.count, fieldsInRow: found, expectedFields: headerCount,
                        nestedIndex: nil,
                        fields: record, rawLine: nil)
                    try body(row)
                }
            }
        }

        func startRecordIfNeeded() {
            if !inRecord {
                inRecord = true
                recordLine = line
            }
        }

        while true {
            var count = try source.read(into: chunk, capacity: chunkSize)
            if count == 0 { break }
            var i = 0
            if atStart {
                // A UTF-8 byte order mark is skipped before parsing, so a quoted first header
                // name after it still reads as quoted. Short reads are topped up to see 3 bytes.
                atStart = false
                while count < 3 {
                    let more = try source.read(into: chunk + count, capacity: 3 - count)
                    if more == 0 { break }
                    count += more
                }
                if count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { i = 3 }
            }
            while i < count {
                switch state {
                case .fieldStart:
                    let byte = chunk[i]
                    if byte == Byte.quote {
                        startRecordIfNeeded()
                        record.beginField()
                        quoteLine = line
                        state = .quoted
                        i += 1
                    } else if byte == Byte.comma {
                        startRecordIfNeeded()
                        record.beginField()
                        record.endField()
                        i += 1
                    } else if byte == Byte.newline {
                        if inRecord {
                            record.beginField()
                            record.endField()
                            try emit()
                        }
                        line += 1
                        i += 1
                    } else if byte == Byte.carriageReturn {
                        i += 1
                    } else {
                        startRecordIfNeeded()
                        record.beginField()
                        state = .unquoted
                    }
                case .unquoted:
                    var j = i
                    while j < count {
                        let byte = chunk[j]
                        if byte == Byte.comma || byte == Byte.newline || byte == Byte.carriageReturn || byte == Byte.quote {
                            break
                        }
                        j += 1
                    }
                    if j > i { record.append(chunk + i, count: j - i) }
                    i = j
                    guard i < count else { break }
                    let byte = chunk[i]
                    i += 1
                    if byte == Byte.comma {
                        record.endField()
                        state = .fieldStart
                    } else if byte == Byte.newline {
                        record.endField()
                        try emit()
                        line += 1
                        state = .fieldStart
                    } else if byte == Byte.quote {
                        // A stray quote inside an unquoted field: keep it, as spreadsheets do.
                        record.append(byte)
                    }
                case .quoted:
                    var j = i
                    while j < count && chunk[j] != Byte.quote && chunk[j] != Byte.newline { j += 1 }
                    if j > i { record.append(chunk + i, count: j - i) }
                    i = j
                    guard i < count else { break }
                    if chunk[i] == Byte.newline {
                        record.append(Byte.newline)
                        line += 1
                    } else {
                        state = .quoteInQuoted
                    }
                    i += 1
                case .quoteInQuoted:
                    let byte = chunk[i]
                    i += 1
                    if byte == Byte.quote {
                        record.append(Byte.quote)
                        state = .quoted
                    } else if byte == Byte.comma {
                        record.endField()
                        state = .fieldStart
                    } else if byte == Byte.newline {
                        record.endField()
                        try emit()
                        line += 1
                        state = .fieldStart
                    } else if byte != Byte.carriageReturn {
                        // Text after a closing quote: keep it rather than lose data.
                        record.append(byte)
                        state = .unquoted
                    }
                }
            }
            count = 0
        }
        switch state {
        case .quoted:
            throw LoyaltyError.unreadableInput(
                file: path, line: quoteLine,
                message: "a quoted field opened here is never closed (the file may be truncated)")
        case .unquoted, .quoteInQuoted:
            record.endField()
            try emit()
        case .fieldStart:
            if inRecord {
                record.beginField()
                record.endField()
                try emit()
            }
        }
        if columnMap == nil {
            throw LoyaltyError.unreadableInput(file: path, line: 1, message: "the file is empty: a header row is required")
        }
    }

    private func checkUTF8(_ record: RecordBuffer, line: Int) throws {
        let bytes = UnsafeBufferPointer(start: record.storage, count: record.count)
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return }
        if String(validating: bytes, as: UTF8.self) == nil {
            throw LoyaltyError.unreadableInput(
                file: path, line: line, message: "the row is not valid UTF-8 (the contract requires UTF-8; re-export the file as UTF-8)")
        }
    }

    private func mapHeader(_ record: RecordBuffer, columns: [String], required: Set<String>) throws -> [Int] {
        var names: [String] = []
        for index in 0..<record.fieldStarts.count {
            var name = String(decoding: record.field(index), as: UTF8.self)
            // A byte order mark, which spreadsheet exports put before the first header name.
            if index == 0 && name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            names.append(name.trimmingCharacters(in: .whitespaces).lowercased())
        }
        var map = [Int](repeating: -1, count: columns.count)
        for (column, name) in columns.enumerated() {
            let positions = names.indices.filter { names[$0] == name }
            if positions.count > 1 {
                throw LoyaltyError.unreadableInput(
                    file: path, line: 1, message: "column '\(name)' appears \(positions.count) times in the header")
            }
            if let position = positions.first { map[column] = position }
        }
        let missing = columns.enumerated().filter { required.contains($0.element) && map[$0.offset] < 0 }.map(\.element)
        if !missing.isEmpty {
            throw LoyaltyError.unreadableInput(
                file: path, line: 1,
                message: "missing required column(s) \(missing.joined(separator: ", ")); the header has: \(names.joined(separator: ","))")
        }
        return map
    }

    /// Re-encodes the record's fields as one CSV row, the form stored with a reject.
    static func encode(_ record: RecordBuffer) -> String {
        var fields: [String] = []
        for index in 0..<record.fieldStarts.count {
            let text = String(decoding: record.field(index), as: UTF8.self)
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                fields.append("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            } else {
                fields.append(text)
            }
        }
        return fields.joined(separator: ",")
    }
}

/// ASCII bytes the parsers look for.
enum Byte {
    static let quote = UInt8(ascii: "\"")
    static let comma = UInt8(ascii: ",")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}
