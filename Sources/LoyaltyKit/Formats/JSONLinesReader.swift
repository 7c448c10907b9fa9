/// Streams a JSON Lines file (one object a line) into the same `InputRecord`s the CSV reader makes.
///
/// With `nestedKey` (transactions' `lines`), an object holding an array under that key yields one
/// record per element: the element's fields over the object's, and `nestedIndex` set.
public final class JSONLinesReader {
    private let source: ByteSource
    private let path: String
    private let chunkSize: Int

    public init(source: ByteSource, path: String, chunkSize: Int = 1 << 20) {
        self.source = source
        self.path = path
        self.chunkSize = chunkSize
    }

    /// - Parameters:
    ///   - body: called for every record.
    ///   - invalid: called with the line, raw text and reason for a line that is not a JSON object.
    /// - Throws: `LoyaltyError.unreadableInput` for bytes that are not UTF-8.
    public func read(
        columns: [String], nestedKey: String? = nil,
        _ body: (InputRecord) throws -> Void,
        invalid: (_ line: Int, _ raw: String, _ reason: String) throws -> Void
    ) throws {
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        var line = 0
        let record = RecordBuffer()

        func handle(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            line += 1
            var trimmed = bytes
            if line == 1, trimmed.count >= 3, trimmed[0] == 0xEF, trimmed[1] == 0xBB, trimmed[2] == 0xBF {
                trimmed = UnsafeBufferPointer(rebasing: trimmed[3...])
            }
            if let last = trimmed.last, last == Byte.carriageReturn {
                trimmed = UnsafeBufferPointer(rebasing: trimmed[..<(trimmed.count - 1)])
            }
            guard let text = String(validating: trimmed, as: UTF8.self) else {
                throw LoyaltyError.unreadableInput(
                    file: path, line: line, message: "the line is not valid UTF-8 (the contract requires UTF-8)")
            }
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) { return }
            let value: JSONValue
            do {
                value = try JSONValue.parse(trimmed)
            } catch {
                try invalid(line, text, "\(error)")
                return
            }
            guard case .object = value else {
                try invalid(line, text, "invalid JSON Lines row: expected an object {...}")
                return
            }
            if let nestedKey, let nested = value[nestedKey] {
                guard case let .array(elements) = nested, !elements.isEmpty else {
                    try invalid(line, text, "missing required field: '\(nestedKey)' must be a non-empty array of objects")
                    return
                }
                guard elements.allSatisfy({ if case .object = $0 { return true } else { return false } }) else {
                    try invalid(line, text, "invalid field: every element of '\(nestedKey)' must be an object")
                    return
                }
                for (index, element) in elements.enumerated() {
                    try emit(value, overlay: element, nestedIndex: index, raw: text)
                }
            } else {
                try emit(value, overlay: nil, nestedIndex: nil, raw: text)
            }
        }

        func emit(_ object: JSONValue, overlay: JSONValue?, nestedIndex: Int?, raw: String) throws {
            record.reset()
            for column in columns {
                record.beginField()
                let value = overlay?[column] ?? object[column]
                switch value {
                case let .string(text)?:
                    var text = text
                    text.withUTF8 { record.append($0) }
                case let .number(text)?:
                    var text = text
                    text.withUTF8 { record.append($0) }
                case let .bool(flag)?:
                    var text = flag ? "true" : "false"
                    text.withUTF8 { record.append($0) }
                default:
                    break
                }
                record.endField()
            }
            try record.fieldStarts.withUnsafeBufferPointer { starts in
                try record.fieldEnds.withUnsafeBufferPointer { ends in
                    try body(InputRecord(
                        line: line, storage: UnsafePointer(record.storage),
                        starts: starts.baseAddress!, ends: ends.baseAddress!,
                        columnCount: columns.count, fieldsInRow: columns.count, expectedFields: columns.count,
                        nestedIndex: nestedIndex, fields: record, rawLine: raw))
                }
            }
        }

        while true {
            let count = try source.read(into: chunk, capacity: chunkSize)
            if count == 0 { break }
            var lineStart = 0
            for i in 0..<count where chunk[i] == Byte.newline {
                if pending.isEmpty {
                    try handle(UnsafeBufferPointer(start: chunk + lineStart, count: i - lineStart))
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: chunk + lineStart, count: i - lineStart))
                    try pending.withUnsafeBufferPointer { try handle($0) }
                    pending.removeAll(keepingCapacity: true)
                }
                lineStart = i + 1
            }
            pending.append(contentsOf: UnsafeBufferPointer(start: chunk + lineStart, count: count - lineStart))
        }
        if !pending.isEmpty {
            try pending.withUnsafeBufferPointer { try handle($0) }
        }
    }
}
