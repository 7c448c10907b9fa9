import GRDB
import GRDBSQLite

/// One prepared statement reused for every row of a bulk write, bound through SQLite's C API.
///
/// GRDB's `StatementArguments` box every value; for the millions of order lines a night brings
/// that is most of the insert cost, so hot loaders bind integers and byte spans directly.
/// Columns are numbered from 1, as in SQLite.
final class BulkStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    @inline(__always)
    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    @inline(__always)
    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always)
    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Binds text; an empty span binds NULL (the contract treats empty fields as absent).
    @inline(__always)
    func bind(_ index: Int32, bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            sqlite3_bind_null(handle, index)
            return
        }
        let raw = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
        sqlite3_bind_text(handle, index, raw, Int32(bytes.count), sqliteTransient)
    }

    @inline(__always)
    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bind(index, bytes: $0) }
    }

    /// Binds text as it is, "" included (key columns where '' stands for "none").
    func bind(_ index: Int32, exactly text: String) {
        guard text.isEmpty else { return bind(index, text) }
        sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
    }

    /// Runs the statement to completion and resets it for the next row.
    @inline(__always)
    func execute() throws {
        let status = sqlite3_step(handle)
        guard status == SQLITE_DONE || status == SQLITE_ROW else { throw failure(status) }
        if status == SQLITE_ROW {
            while sqlite3_step(handle) == SQLITE_ROW {}
        }
        sqlite3_reset(handle)
    }

    /// Rows the last completed insert, update or delete on this connection changed.
    var changes: Int { connection.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs a statement whose first result column is an integer (`RETURNING key`) and returns it.
    @inline(__always)
    func executeReturningInt64() throws -> Int64 {
        let status = sqlite3_step(handle)
        guard status == SQLITE_ROW else { throw failure(status) }
        let value = sqlite3_column_int64(handle, 0)
        while sqlite3_step(handle) == SQLITE_ROW {}
        sqlite3_reset(handle)
        return value
    }

    /// Runs a query for at most one integer: the first column of the first row, or nil for no row.
    @inline(__always)
    func queryInt64() throws -> Int64? {
        let status = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        if status == SQLITE_DONE { return nil }
        guard status == SQLITE_ROW else { throw failure(status) }
        return sqlite3_column_int64(handle, 0)
    }

    private func failure(_ status: Int32) -> LoyaltyError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite status \(status)"
        sqlite3_reset(handle)
        return .warehouse(message: "\(message) in \(statement.sql)")
    }
}

/// SQLite's SQLITE_TRANSIENT (copy the bytes now): a C macro Swift cannot import.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
