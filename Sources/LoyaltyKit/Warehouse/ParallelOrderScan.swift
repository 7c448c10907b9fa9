import GRDB

/// Splits a scan of order lines into two halves by order key and reads them at the same time on
/// two connections (WAL lets readers run side by side), so a stage's heavy aggregation uses both
/// cores. Each half gets its own connection and must keep its own state.
enum ParallelOrderScan {
    /// Below this many orders one scan is cheaper than opening a second connection.
    static let minimumOrdersToSplit: Int64 = 200_000
    /// The scans read the file through a memory map (SQLite's largest default limit): pages are
    /// read in place instead of being copied into the page cache of each connection, which took a
    /// sixth of a 10M-line scan. The mapped pages count in the process's RSS while the scan runs.
    static let mappedBytes = 2_147_418_112

    /// Calls `scan(db, firstOrderKey, lastOrderKey)` once per part and returns the results in key order.
    static func run<Part>(_ warehouse: Warehouse, minimumOrdersToSplit: Int64 = minimumOrdersToSplit,
                          _ scan: @escaping (Database, Int64, Int64) throws -> Part) throws -> [Part] {
        let (low, high) = try warehouse.database.read { db -> (Int64, Int64) in
            // Two subqueries: SQLite answers a lone MIN or MAX from the key's b-tree, but both in
            // one SELECT scan the whole table (half a second for 3M orders).
            let row = try Row.fetchOne(db, sql: "SELECT (SELECT MIN(order_key) FROM sales_order), (SELECT MAX(order_key) FROM sales_order)")
            return ((row?[0] as Int64?) ?? 0, (row?[1] as Int64?) ?? -1)
        }
        guard warehouse.path != ":memory:", high - low >= minimumOrdersToSplit else {
            return [try warehouse.database.read { db in try scan(db, low, high) }]
        }
        let middle = low + (high - low) / 2
        var configuration = Configuration()
        configuration.readonly = true
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = \(mappedBytes)") }
        let second = try DatabaseQueue(path: warehouse.path, configuration: configuration)
        var upper: Part?
        let worker = WorkerThread(name: "order-scan") {
            upper = try second.read { db in try scan(db, middle + 1, high) }
        }
        let lower: Part
        do {
            try warehouse.database.inDatabase { db in try db.execute(sql: "PRAGMA mmap_size = \(mappedBytes)") }
            defer { try? warehouse.database.inDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 0") } }
            lower = try warehouse.database.read { db in try scan(db, low, middle) }
        } catch {
            worker.join()
            throw error
        }
        try worker.result()
        guard let upper else { throw LoyaltyError.warehouse(message: "the second scan of order lines did not finish") }
        return [lower, upper]
    }
}
