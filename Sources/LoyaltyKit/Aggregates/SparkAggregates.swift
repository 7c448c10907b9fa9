import Foundation
import GRDB
import Logging

/// `engine: spark`: the aggregates computed by Spark (`spark/loyalty_aggregates.py`) from the order
/// lines it keeps in the lake (`spark.lake`), with the same reference SQL as the SQLite engine
/// (`AggregateDefinitions`, Spark dialect), then loaded into the warehouse's aggregate tables.
///
/// A night hands Spark every line of the days its loads touched (the days the touched orders were
/// and are on): Spark replaces those partitions of the lake whole and computes the touched orders'
/// `agg_order` rows. The windowed aggregates then change by what changed (`Export.delta`): the
/// affected orders are the touched ones and those that crossed a window edge, the affected
/// customers theirs; the job runs each definition over the affected customers' orders in the old
/// lake and window and in the new, and the binary replaces those customers' rows and adds the
/// differences to the summed tables (`AggregateDefinitions.Kind`). A changed catalog (a product
/// added or moved), a failed job since, or too many affected orders recompute the window's
/// aggregates instead; a new lake, definitions version or time zone, or aggregates maintained
/// without Spark in between, rewrite the whole lake. Nothing changes in the warehouse until the
/// job has succeeded; its rows then reach the aggregate tables in one transaction.
///
/// For now ingest still validates the lines and keeps them in `order_line` too: the stages that
/// read lines directly (pairs' baskets, publish's outcomes, the backtest) read them there.
struct SparkAggregates {
    static let job = "loyalty_aggregates.py"

    let config: PipelineConfig
    let window: FiguresWindow
    let stage: String
    let logger: Logger

    /// Brings the aggregates to this window and the loads so far.
    func bringUpToDate(_ warehouse: Warehouse) throws -> AggregateMaintenance.Report {
        let started = Date()
        guard let lake = config.spark.lake else {
            throw LoyaltyError.engine(stage: stage, message: "engine: spark needs spark.lake")
        }
        let plan = try warehouse.database.read { db in try Plan(db, lake: lake, window: window, timezone: config.timezone) }
        guard plan.full || !plan.upToDate else { return .init(rebuilt: false, orders: 0, customers: 0, seconds: 0) }

        let work = warehouse.path + ".spark-work"
        try? FileManager.default.removeItem(atPath: work)
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw LoyaltyError.io(path: work, message: "cannot create the Spark job's folder: \(error.localizedDescription)")
        }
        // LOYALTY_SPARK_KEEP=1 keeps the spec, the inputs, the rows and the log for a look.
        defer { if ProcessInfo.processInfo.environment["LOYALTY_SPARK_KEEP"] != "1" { try? FileManager.default.removeItem(atPath: work) } }
        // The partitions to rewrite are recorded before the job runs and cleared with the load:
        // a job that fails after touching the lake has its partitions rewritten by the next run.
        let dirtyDays = try warehouse.database.write { db in try Self.markDirty(db, plan: plan) }
        let export = try warehouse.database.read { db in try self.export(db, plan: plan, dirtyDays: dirtyDays, to: work) }
        try writeSpec(plan: plan, export: export, lake: lake, work: work)
        logger.info("Spark job: \(Self.describe(plan: plan, export: export))")
        try SparkSubmit(config: config.spark, stage: stage, logger: logger)
            .run(job: Self.job, spec: work + "/spec.json", log: work + "/spark.log", failureLog: warehouse.path + ".spark-failed.log")

        let customers = try warehouse.database.writeWithoutTransaction { db -> Int in
            var customers = 0
            try db.inTransaction(.immediate) {
                customers = try load(db, plan: plan, export: export, from: work + "/out", lake: lake)
                return .commit
            }
            return customers
        }
        return .init(rebuilt: plan.full, orders: export.delta?.orders ?? export.orders, customers: customers,
                     seconds: Date().timeIntervalSince(started))
    }

    /// What tonight's job must do, read from the warehouse before anything changes.
    struct Plan {
        var full: Bool
        var upToDate: Bool
        var lastOrder: Int64
        var newOrdersFrom: Int64
        var categoryMap: String
        /// The window the aggregates hold, when tonight's changes can be applied to them as
        /// differences: the lake is as they were computed from (no failed job since) and the
        /// catalog's products and categories are as they were.
        var oldWindow: FiguresWindow?

        init(_ db: Database, lake: String, window: FiguresWindow, timezone: String) throws {
            lastOrder = try Int64.fetchOne(db, sql: "SELECT MAX(order_key) FROM sales_order") ?? 0
            categoryMap = try AggregateDeltas.categoryMap(db).digest
            let state = try AggregateMaintenance.state(db)
            let keptIn = try Self.lake(db)
            full = state == nil || state?.definitions != AggregateDefinitions.version || state?.timezone != timezone || keptIn != lake
            newOrdersFrom = full ? 0 : state!.newOrdersFrom
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aggregate_pending_order") ?? 0
            upToDate = !full && pending == 0 && lastOrder < newOrdersFrom && state?.window == window && state?.categoryMap == categoryMap
            let failedSince = try db.tableExists("aggregate_lake_dirty")
                && (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aggregate_lake_dirty") ?? 0) > 0
            if let state, !full, !failedSince, state.categoryMap == categoryMap { oldWindow = state.window }
        }

        /// The lake the aggregates were last computed from (nil: the SQLite engine, or never).
        static func lake(_ db: Database) throws -> String? {
            guard try db.tableExists("aggregate_lake") else { return nil }
            return try String.fetchOne(db, sql: "SELECT lake FROM aggregate_lake WHERE id = 1")
        }

        /// The orders whose lines Spark gets: every one on a full run, else those loaded since.
        var touchedOrders: String {
            full ? "SELECT order_key FROM sales_order"
                : "SELECT order_key FROM aggregate_pending_order UNION SELECT order_key FROM sales_order WHERE order_key >= \(newOrdersFrom)"
        }
    }

    /// What the job is given besides the spec.
    struct Export {
        var orders = 0
        /// The lake partitions (UTC dates) the job rewrites; empty on a full run (all of them).
        var dirtyDates: [String] = []
        /// Set when the job computes the aggregates' changes rather than the whole window.
        var delta: Delta?
    }

    /// The orders whose contribution may change tonight, and the customers whose rows do.
    struct Delta {
        var oldWindow: FiguresWindow
        var orders: Int
        var customers: [Int64]
    }

    private static func utcDate(_ seconds: Int64) -> String { CivilDate.format(ZoneClock.day(ofLocalSeconds: seconds)) }

    /// The touched orders' times as their lines have them now (agg_order still has the old ones).
    private static func touchedPlaced(_ plan: Plan) -> String {
        "SELECT order_key, MIN(ordered_at) AS placed_at FROM order_line WHERE order_key IN (\(plan.touchedOrders)) GROUP BY order_key"
    }

    /// Every order's time now: agg_order's for the untouched, their lines' first for the touched.
    private static func placedOrders(_ plan: Plan) -> String {
        """
        SELECT order_key, ordered_at AS placed_at FROM agg_order WHERE order_key NOT IN (\(plan.touchedOrders))
        UNION ALL \(touchedPlaced(plan))
        """
    }

    /// Adds the UTC days the touched orders were and are on to `aggregate_lake_dirty`; returns all
    /// of its days (those of a failed earlier job included).
    private static func markDirty(_ db: Database, plan: Plan) throws -> [Int64] {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS aggregate_lake_dirty (day INTEGER PRIMARY KEY)")
        guard !plan.full else { return [] }
        try db.execute(sql: """
            INSERT OR IGNORE INTO aggregate_lake_dirty (day)
            SELECT DISTINCT ordered_at / 86400 FROM agg_order WHERE order_key IN (\(plan.touchedOrders))
            UNION SELECT placed_at / 86400 FROM (\(touchedPlaced(plan)))
            """)
        return try Int64.fetchAll(db, sql: "SELECT day FROM aggregate_lake_dirty ORDER BY day")
    }

    /// Writes every line of the dirty partitions as the warehouse holds them now (the lake's
    /// partitions are replaced whole, never patched), the touched orders and the products.
    private func export(_ db: Database, plan: Plan, dirtyDays: [Int64], to work: String) throws -> Export {
        var export = Export()
        let lines: String
        if plan.full {
            lines = "SELECT * FROM order_line"
        } else {
            export.dirtyDates = dirtyDays.map { Self.utcDate($0 * 86_400) }
            lines = """
                SELECT * FROM order_line WHERE order_key IN (
                    SELECT order_key FROM (\(Self.placedOrders(plan))) WHERE placed_at / 86400 IN (SELECT day FROM aggregate_lake_dirty))
                """
        }
        try writeRows(work + "/lines.csv", db, sql: """
            SELECT order_key, product_key, line_no, customer_key, ordered_at, quantity, amount_minor, bonus_earned_minor, bonus_spent_minor
            FROM (\(lines)) ORDER BY order_key, product_key, line_no
            """, columns: 9)
        var orders = 0
        try writeRows(work + "/touched.csv", db, sql: "SELECT order_key FROM (\(plan.touchedOrders)) ORDER BY 1", columns: 1) { _ in orders += 1 }
        export.orders = orders
        try writeRows(work + "/products.csv", db, sql: "SELECT product_key, category_key FROM product ORDER BY product_key", columns: 2)
        if let oldWindow = plan.oldWindow { export.delta = try affected(db, plan: plan, oldWindow: oldWindow, work: work) }
        return export
    }

    /// The affected orders (touched, or crossing a window edge as it moved) and their customers
    /// before and after tonight's loads; nil when they are so many of all orders that one pass
    /// over the window costs less, as the SQLite engine decides.
    private func affected(_ db: Database, plan: Plan, oldWindow: FiguresWindow, work: String) throws -> Delta? {
        let crossing = window.symmetricDifference(oldWindow).map {
            "SELECT order_key FROM agg_order WHERE ordered_at >= \($0.from) AND ordered_at < \($0.until)"
        }
        let affectedOrders = ([plan.touchedOrders] + crossing).joined(separator: " UNION ")
        let orders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(affectedOrders))") ?? 0
        let known = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_order") ?? 0
        if Double(orders) > AggregateMaintenance.rebuildShare * Double(known) && orders > 10_000 { return nil }
        try writeRows(work + "/affected_orders.csv", db, sql: "SELECT order_key FROM (\(affectedOrders)) ORDER BY 1", columns: 1)
        var customers: [Int64] = []
        try writeRows(work + "/affected_customers.csv", db, sql: """
            SELECT customer_key FROM agg_order WHERE order_key IN (\(affectedOrders)) AND customer_key IS NOT NULL
            UNION SELECT customer_key FROM order_line WHERE order_key IN (\(plan.touchedOrders)) AND customer_key IS NOT NULL
            ORDER BY 1
            """, columns: 1) { customers.append($0.int64(0)) }
        return Delta(oldWindow: oldWindow, orders: orders, customers: customers)
    }

    /// Rows as headerless CSV of integers (NULL: empty): nothing in them needs quoting.
    private func writeRows(_ path: String, _ db: Database, sql: String, columns: Int32, each: (RowScan) -> Void = { _ in }) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw LoyaltyError.io(path: path, message: "cannot create the Spark job's input")
        }
        defer { try? handle.close() }
        var text = ""
        try RowScan.forEach(db, sql: sql) { row in
            each(row)
            for column in 0..<columns {
                if column > 0 { text += "," }
                if !row.isNull(column) { text += String(row.int64(column)) }
            }
            text += "\n"
            if text.utf8.count > 1 << 20 {
                handle.write(Data(text.utf8))
                text.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(text.utf8))
    }

    private func writeSpec(plan: Plan, export: Export, lake: String, work: String) throws {
        // The lake's partitions are UTC dates of the orders' times: a day either side of the
        // window's bounds holds every order in it; the definitions' own window clause trims.
        func partitions(_ window: FiguresWindow) -> Any {
            window.from.map { [Self.utcDate($0 - 86_400), Self.utcDate(window.until + 86_400)] } ?? NSNull()
        }
        let tables: [[String: Any]] = AggregateDefinitions.tables.map { table in
            var entry: [String: Any] = ["name": table.name, "columns": table.columns, "key_columns": table.keyColumns,
                                        "sql": table.reference(window, .spark), "kind": Self.kindName(table.kind)]
            if let delta = export.delta { entry["sql_old"] = table.reference(delta.oldWindow, .spark) }
            return entry
        }
        var spec: [String: Any] = [
            "timezone": config.timezone, "lake": lake, "full": plan.full, "lines": Self.fileURL(work + "/lines.csv"),
            "touched": Self.fileURL(work + "/touched.csv"), "dirty_dates": export.dirtyDates,
            "products": Self.fileURL(work + "/products.csv"), "window_dates": partitions(window),
            "tables": tables, "output": Self.fileURL(work + "/out"), "summary": work + "/summary.json",
            "parent_pid": Int(getpid()), "delta": export.delta != nil,
        ]
        // Pipelines may share a staging root, and their warehouses a file name: the folder is
        // named after the warehouse's whole path.
        if let staging = config.spark.staging {
            var hasher = SHA256()
            hasher.update(Array(URL(fileURLWithPath: work).standardizedFileURL.path.utf8))
            spec["staging"] = staging + (staging.hasSuffix("/") ? "" : "/") + (work as NSString).lastPathComponent
                + "-" + hasher.finalizeHex().prefix(12)
        }
        if let delta = export.delta {
            spec["old_window_dates"] = partitions(delta.oldWindow)
            spec["affected_orders"] = Self.fileURL(work + "/affected_orders.csv")
            spec["affected_customers"] = Self.fileURL(work + "/affected_customers.csv")
            spec["old_lines"] = Self.fileURL(work + "/old_lines")
        }
        let data = try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys, .prettyPrinted])
        guard FileManager.default.createFile(atPath: work + "/spec.json", contents: data) else {
            throw LoyaltyError.io(path: work + "/spec.json", message: "cannot write the Spark job's spec")
        }
    }

    private static func describe(plan: Plan, export: Export) -> String {
        if plan.full { return "the whole lake, and every aggregate from it" }
        let partitions = "\(export.dirtyDates.count) lake partitions rewritten"
        guard let delta = export.delta else { return partitions + ", the window's aggregates recomputed" }
        return partitions + ", the aggregates changed by \(delta.orders) orders of \(delta.customers.count) customers"
    }

    private static func kindName(_ kind: AggregateDefinitions.Kind) -> String {
        switch kind {
        case .perOrder: return "order"
        case .perCustomer: return "customer"
        case .summed(let dropsZeroRows): return dropsZeroRows ? "summed" : "summed_one_row"
        }
    }

    /// A local file as a URL, so a cluster whose default file system is HDFS still reads it here.
    private static func fileURL(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.absoluteString
    }

    /// Brings the aggregate tables to the job's rows and records the new state; returns the
    /// customers in the window, or the affected ones when the job computed changes.
    private func load(_ db: Database, plan: Plan, export: Export, from out: String, lake: String) throws -> Int {
        if let delta = export.delta {
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.spark_affected_customer;
                CREATE TEMP TABLE spark_affected_customer (customer_key INTEGER PRIMARY KEY)
                """)
            let insert = try db.makeStatement(sql: "INSERT INTO spark_affected_customer (customer_key) VALUES (?)")
            for customer in delta.customers { try insert.execute(arguments: [customer]) }
        }
        for table in AggregateDefinitions.tables {
            let columns = table.columns.joined(separator: ", ")
            let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
            var insert = "INSERT INTO \(table.name) (\(columns)) VALUES (\(placeholders))"
            var dropZero: Statement?
            switch table.kind {
            case .perOrder where !plan.full:
                try db.execute(sql: "DELETE FROM agg_order WHERE order_key IN (\(plan.touchedOrders))")
            case .perCustomer where export.delta != nil:
                try db.execute(sql: "DELETE FROM \(table.name) WHERE customer_key IN spark_affected_customer")
            case .summed(let dropsZeroRows) where export.delta != nil:
                let keys = table.columns.prefix(table.keyColumns), values = table.columns.dropFirst(table.keyColumns)
                insert += " ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET "
                    + values.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", ")
                if dropsZeroRows {
                    dropZero = try db.makeStatement(sql: "DELETE FROM \(table.name) WHERE "
                        + (keys.map { "\($0) = ?" } + values.map { "\($0) = 0" }).joined(separator: " AND "))
                }
            default:
                try db.execute(sql: "DELETE FROM \(table.name)")
            }
            let statement = try db.makeStatement(sql: insert)
            try forEachRow(of: table, in: out) { values in
                try statement.execute(arguments: StatementArguments(values))
                try dropZero?.execute(arguments: StatementArguments(Array(values.prefix(table.keyColumns))))
            }
        }
        try AggregateMaintenance(window: window, timezone: config.timezone).finish(db, lastOrder: plan.lastOrder, categoryMap: plan.categoryMap)
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS aggregate_lake (id INTEGER PRIMARY KEY CHECK (id = 1), lake TEXT NOT NULL);
            INSERT OR REPLACE INTO aggregate_lake (id, lake) VALUES (1, ?);
            DELETE FROM aggregate_lake_dirty
            """, arguments: [lake])
        if let delta = export.delta {
            try db.execute(sql: "DROP TABLE temp.spark_affected_customer")
            return delta.customers.count
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_customer") ?? 0
    }

    /// Calls `body` with each row the job wrote for `table` (NULL for an empty field).
    private func forEachRow(of table: AggregateDefinitions.Table, in out: String, _ body: ([DatabaseValueConvertible?]) throws -> Void) throws {
        for file in try partFiles(out + "/" + table.name) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw LoyaltyError.engine(stage: stage, message: "cannot read the Spark job's rows in \(file)")
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                guard fields.count == table.columns.count else {
                    throw LoyaltyError.engine(stage: stage, message: "the Spark job wrote \(fields.count) values where \(table.name) has "
                        + "\(table.columns.count) columns (\(file)): '\(line.prefix(200))'")
                }
                try body(fields.map { field in field.isEmpty ? nil : Int64(field).map { $0 as DatabaseValueConvertible } ?? String(field) })
            }
        }
    }

    /// A table's CSV part files, in name order.
    private func partFiles(_ folder: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw LoyaltyError.engine(stage: stage, message: "the Spark job left no rows folder \(folder)")
        }
        return names.filter { $0.hasPrefix("part-") }.sorted().map { folder + "/" + $0 }
    }
}
