import GRDB

/// External id → integer key of a dimension table (`<table>_id` → `<table>_key`), so loaders
/// resolve references in memory. A million customers' ids are read on every load, even a night's
/// few thousand lines: the map is sized up front and filled from SQLite's C API (GRDB rows and
/// rehashing took most of a second).
func keyMap(_ db: Database, table: String) throws -> [String: Int64] {
    var map: [String: Int64] = [:]
    map.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0)
    try RowScan.forEach(db, sql: "SELECT \(table)_id, \(table)_key FROM \(table)") { row in
        map[row.text(0)] = row.int64(1)
    }
    return map
}
