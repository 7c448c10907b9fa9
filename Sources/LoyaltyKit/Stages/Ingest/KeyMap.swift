import GRDB

/// External id → integer key for a dimension table, so loaders resolve references in memory.
func keyMap(_ db: Database, sql: String) throws -> [String: Int64] {
    var map: [String: Int64] = [:]
    let rows = try Row.fetchCursor(db, sql: sql)
    while let row = try rows.next() {
        map[row[0]] = row[1]
    }
    return map
}
