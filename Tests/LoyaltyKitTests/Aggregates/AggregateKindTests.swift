import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// The Spark engine maintains the windowed aggregates from the orders a night changed, on the
/// strength of each table's `AggregateDefinitions.Kind`: split the orders into a set S (every
/// order of some customers, and some anonymous orders) and the rest, and a summed table's rows
/// over all orders are its rows over S plus its rows over the rest, while a per-customer table's
/// rows for S's customers are its rows over S alone.
@Suite struct AggregateKindTests {
    typealias Rows = [String: [Int64]]

    /// The definition's rows with `order_line` narrowed to `lines` (a temp view shadows the table).
    static func reference(_ db: Database, _ table: AggregateDefinitions.Table, window: FiguresWindow, lines: String?) throws -> [Row] {
        try db.execute(sql: "DROP VIEW IF EXISTS temp.order_line")
        if let lines { try db.execute(sql: "CREATE TEMP VIEW order_line AS SELECT * FROM main.order_line WHERE order_key IN (\(lines))") }
        defer { try? db.execute(sql: "DROP VIEW IF EXISTS temp.order_line") }
        return try Row.fetchAll(db, sql: table.reference(window, .sqlite))
    }

    static func key(_ row: Row, _ table: AggregateDefinitions.Table) -> String {
        (0..<table.keyColumns).map { "\(row[$0] as DatabaseValue)" }.joined(separator: "|")
    }

    static func summed(_ rows: [Row], _ table: AggregateDefinitions.Table) -> Rows {
        var sums: Rows = [:]
        for row in rows {
            sums[key(row, table)] = (table.keyColumns..<table.columns.count).map { (row[$0] as Int64?) ?? 0 }
        }
        return sums
    }

    @Test func summedTablesAddUpAndCustomerTablesStandAlone() throws {
        let history = AggregateMaintenanceTests.History(seed: 11, nights: 12)
        let root = try temporaryFolder()
        let pipeline = try AggregateMaintenanceTests.pipeline(root: root, lookbackDays: 5)
        let asOf = AggregateMaintenanceTests.History.asOf(night: history.deliveries.count - 1)
        for night in history.deliveries.indices where history.deliveries[night] != nil {
            try history.write(night: night, to: root + "/in/\(night)")
            try runPipeline(input: root + "/in/\(night)", root: root, asOf: asOf, pipeline: pipeline, selection: .only("ingest"))
        }
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let window = try #require(try AggregateMaintenance.stateWindow(warehouse))
        let inS = "SELECT order_key FROM main.order_line WHERE customer_key % 2 = 0 OR (customer_key IS NULL AND order_key % 2 = 0)"
        let notS = "SELECT order_key FROM main.order_line WHERE order_key NOT IN (\(inS))"
        try warehouse.database.write { db in
            try AggregateFunctions.install(db, timezone: "Europe/Berlin")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT order_key) FROM main.order_line WHERE order_key IN (\(inS))")! > 5)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT order_key) FROM main.order_line WHERE order_key IN (\(notS))")! > 5)
            for table in AggregateDefinitions.tables {
                let all = try Self.reference(db, table, window: window, lines: nil)
                #expect(!all.isEmpty, "\(table.name) has rows")
                switch table.kind {
                case .perOrder:
                    continue
                case .perCustomer:
                    let customers = try Set(Int64.fetchAll(db, sql: """
                        SELECT DISTINCT customer_key FROM main.order_line WHERE order_key IN (\(inS)) AND customer_key IS NOT NULL
                        """))
                    let mine = all.filter { customers.contains(($0[0] as Int64?) ?? -1) }.map(\.description).sorted()
                    #expect(!mine.isEmpty && mine.count < all.count, "\(table.name) splits")
                    #expect(try Self.reference(db, table, window: window, lines: inS).map(\.description).sorted() == mine,
                            "\(table.name): S's customers' rows from S alone")
                case .summed(let dropsZeroRows):
                    var added = Self.summed(try Self.reference(db, table, window: window, lines: inS), table)
                    for (key, values) in Self.summed(try Self.reference(db, table, window: window, lines: notS), table) {
                        added[key] = zip(added[key] ?? Array(repeating: 0, count: values.count), values).map { $0 + $1 }
                    }
                    if dropsZeroRows { added = added.filter { $0.value.contains { $0 != 0 } } }
                    #expect(added == Self.summed(all, table), "\(table.name): rows over S plus rows over the rest")
                }
            }
        }
    }
}
