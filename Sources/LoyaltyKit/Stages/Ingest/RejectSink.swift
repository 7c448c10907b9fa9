import GRDB

/// Collects the rows of one file that break the contract into the `reject` table, with the file,
/// the line where the row starts, the reason and the row as delivered.
final class RejectSink {
    let file: String
    private let insert: BulkStatement
    private let loadKey: Int64
    private(set) var count = 0

    init(_ db: Database, loadKey: Int64, file: String) throws {
        self.file = file
        self.loadKey = loadKey
        insert = try BulkStatement(db, sql: "INSERT INTO reject (load_key, file, line, reason, raw) VALUES (?, ?, ?, ?, ?)")
    }

    func reject(line: Int, raw: String, reason: String) throws {
        insert.bind(1, loadKey)
        insert.bind(2, file)
        insert.bind(3, Int64(line))
        insert.bind(4, reason)
        // A NUL would cut the text short when it is read back (SQLite's C strings): it is shown as ␀.
        insert.bind(5, raw.contains("\u{0}") ? raw.replacingOccurrences(of: "\u{0}", with: "\u{2400}") : raw)
        try insert.execute()
        count += 1
    }

    func reject(_ record: InputRecord, _ reason: String) throws {
        try reject(line: record.line, raw: record.raw, reason: reason)
    }
}

/// Reject reasons start with a stable kind (what a dashboard groups by) and go on with the detail.
enum RejectReason {
    static func fieldCount(expected: Int, found: Int) -> String {
        "wrong number of fields: expected \(expected) as in the header, found \(found)"
    }
    static func missing(_ column: String) -> String { "missing required field: \(column)" }
    static func invalid(_ column: String, _ value: String, _ error: FieldError) -> String {
        "invalid \(column): '\(value)' is \(error)"
    }
    static func unknown(_ what: String, _ id: String) -> String { "unknown \(what): '\(id)' is not in the catalog or warehouse" }
    static func invalidAddress(_ column: String, _ value: String, _ problem: AddressProblem) -> String {
        "invalid \(column): '\(value)' \(problem)"
    }
    static func nul(_ column: String) -> String {
        "invalid \(column): the value holds a NUL byte (U+0000), which no text in the contract may contain"
    }
    static func duplicate(_ key: String, firstLine: Int) -> String {
        "duplicate key: \(key) already appears on line \(firstLine) of this file"
    }
}

/// The checks every loader makes first: field count (CSV) and required fields present.
/// - Returns: the reject reason, or nil when the row may go on to its loader.
func basicRejectReason(_ record: InputRecord, entity: InputEntity) -> String? {
    if record.fieldsInRow != record.expectedFields {
        return RejectReason.fieldCount(expected: record.expectedFields, found: record.fieldsInRow)
    }
    for (column, name) in entity.columns.enumerated() where record.isEmpty(column) && entity.required.contains(name) {
        return RejectReason.missing(name)
    }
    if let column = record.columnHoldingNUL() { return RejectReason.nul(entity.columns[column]) }
    return nil
}

/// Protocol of the per-entity loaders. `load` runs once per row inside the file's transaction;
/// `finish` once at the end (loaders that must see every row first, like the category tree,
/// write there).
protocol EntityLoader: AnyObject {
    var rowsLoaded: Int { get }
    /// Lines for the run summary about rows that loaded, but not quite as delivered.
    var notes: [String] { get }
    func load(_ record: InputRecord, rejects: RejectSink) throws
    func finish(rejects: RejectSink) throws
}

extension EntityLoader {
    var notes: [String] { [] }
}

extension InputRecord {
    /// Parses a field with `parse`, or returns the reject reason naming the column and value.
    @inline(__always)
    func parse<T>(_ column: Int, _ name: String, _ parse: (UnsafeBufferPointer<UInt8>) throws(FieldError) -> T) -> Result<T, RejectError> {
        do {
            return .success(try parse(bytes(column)))
        } catch {
            return .failure(RejectError(reason: RejectReason.invalid(name, string(column) ?? "", error)))
        }
    }
}

/// A reject reason carried through `Result`.
struct RejectError: Error {
    let reason: String
}
