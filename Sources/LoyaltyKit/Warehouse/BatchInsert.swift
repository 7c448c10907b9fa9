import GRDB

/// Inserts rows many to a statement (`INSERT … VALUES (…), (…), …`): SQLite's cost per statement
/// (cursor, VDBE setup, mutexes) is most of an insert's, so this is about twice as fast as one
/// row a statement. Rows wait in memory until a statement is full; `flush()` writes the rest.
final class BatchInsert<Row> {
    private let single: BulkStatement
    private let multi: BulkStatement
    private let columns: Int32
    private let rowsPerStatement: Int
    private let bind: (Row, BulkStatement, Int32) -> Void
    private var pending: [Row] = []

    /// - Parameters:
    ///   - insert: the statement up to `VALUES`, e.g. `INSERT INTO t (a, b)`.
    ///   - bind: binds one row's values at parameter offset (its first column is offset + 1).
    init(_ db: Database, insert: String, columns: Int, rowsPerStatement: Int = 64,
         bind: @escaping (Row, BulkStatement, Int32) -> Void) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        single = try BulkStatement(db, sql: insert + " VALUES " + row)
        multi = try BulkStatement(db, sql: insert + " VALUES " + Array(repeating: row, count: rowsPerStatement).joined(separator: ", "))
        self.columns = Int32(columns)
        self.rowsPerStatement = rowsPerStatement
        self.bind = bind
        pending.reserveCapacity(rowsPerStatement)
    }

    @inline(__always)
    func add(_ row: Row) throws {
        pending.append(row)
        guard pending.count == rowsPerStatement else { return }
        for (index, row) in pending.enumerated() { bind(row, multi, Int32(index) * columns) }
        try multi.execute()
        pending.removeAll(keepingCapacity: true)
    }

    func flush() throws {
        for row in pending {
            bind(row, single, 0)
            try single.execute()
        }
        pending.removeAll(keepingCapacity: true)
    }
}
