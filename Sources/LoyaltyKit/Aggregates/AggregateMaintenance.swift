import Foundation
import GRDB

/// Keeps the aggregate tables equal to their reference definitions for the run's figures window.
///
/// A night's maintenance touches only what changed: the orders loaded since the last maintenance
/// (new, re-delivered, late), and the orders that entered or left the window as it moved. For
/// each, its old contribution (the lines as they were, in the old window) is taken out of the
/// additive aggregates and its new one added (`AggregateDeltas`); its customers' rows are
/// recomputed with the reference SQL restricted to them. Anything else — no state yet, another
/// time zone or definitions version, or most of the warehouse touched — rebuilds everything.
public struct AggregateMaintenance {
    public struct Report: Equatable, Sendable {
        public var rebuilt: Bool
        public var orders: Int
        public var customers: Int
        public var seconds: Double

        public var summary: String {
            if rebuilt { return "aggregates rebuilt from \(orders) orders (\(customers) customers) in \(PipelineRunner.rounded(seconds)) s" }
            if orders == 0 { return "aggregates up to date" }
            return "aggregates maintained: \(orders) orders and \(customers) customers changed, in \(PipelineRunner.rounded(seconds)) s"
        }
    }

    let window: FiguresWindow
    let timezone: String

    public init(window: FiguresWindow, timezone: String) {
        self.window = window
        self.timezone = timezone
    }

    /// A touched share above this rebuilds instead: one pass over everything beats lookups by key.
    static let rebuildShare = 0.2

    /// Brings the aggregates to this window and the loads so far, in one transaction.
    public func bringUpToDate(_ warehouse: Warehouse) throws -> Report {
        try timed(warehouse) { try maintain($0) }
    }

    /// Recomputes every aggregate from the order lines.
    public func rebuild(_ warehouse: Warehouse) throws -> Report {
        try timed(warehouse) { try rebuild($0) }
    }

    /// Runs `work` in one immediate transaction with the definitions' SQL functions installed.
    private func timed(_ warehouse: Warehouse, _ work: (Database) throws -> Report) throws -> Report {
        let started = Date()
        var report = try warehouse.database.writeWithoutTransaction { db -> Report in
            try AggregateFunctions.install(db, timezone: timezone)
            var report: Report?
            try db.inTransaction(.immediate) {
                report = try work(db)
                return .commit
            }
            return report!
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    struct State {
        var definitions: Int
        var timezone: String
        var window: FiguresWindow
        var newOrdersFrom: Int64
        var categoryMap: String?
    }

    /// The window the aggregates hold, or nil before their first build.
    public static func stateWindow(_ warehouse: Warehouse) throws -> FiguresWindow? {
        try warehouse.database.read { db in try state(db)?.window }
    }

    static func state(_ db: Database) throws -> State? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT definitions, timezone, window_from, window_until, new_orders_from, category_map FROM aggregate_state WHERE id = 1
            """) else { return nil }
        return State(definitions: row[0], timezone: row[1], window: FiguresWindow(from: row[2], until: row[3]), newOrdersFrom: row[4],
                     categoryMap: row[5])
    }

    private func maintain(_ db: Database) throws -> Report {
        let lastOrder = try Int64.fetchOne(db, sql: "SELECT MAX(order_key) FROM sales_order") ?? 0
        let categoryMap = try AggregateDeltas.categoryMap(db)
        // A product moved to another category changes category figures of every month it sold in.
        guard let state = try Self.state(db), state.definitions == AggregateDefinitions.version, state.timezone == timezone,
              state.categoryMap == categoryMap.digest else {
            return try rebuild(db)
        }
        let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aggregate_pending_order") ?? 0
        let newOrders = max(0, lastOrder - state.newOrdersFrom + 1)
        if pending == 0 && newOrders == 0 && state.window == window {
            return Report(rebuilt: false, orders: 0, customers: 0, seconds: 0)
        }
        let known = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_order") ?? 0
        if Double(Int64(pending) + newOrders) > Self.rebuildShare * Double(known) && Int64(pending) + newOrders > 10_000 {
            return try rebuild(db)
        }

        // The orders whose contribution may change: loaded since, or crossing a window edge.
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.agg_touched; DROP TABLE IF EXISTS temp.agg_affected; DROP TABLE IF EXISTS temp.agg_affected_customer;
            CREATE TEMP TABLE agg_touched (order_key INTEGER PRIMARY KEY);
            CREATE TEMP TABLE agg_affected (order_key INTEGER PRIMARY KEY);
            CREATE TEMP TABLE agg_affected_customer (customer_key INTEGER PRIMARY KEY);
            INSERT INTO agg_touched SELECT order_key FROM aggregate_pending_order;
            """)
        try db.execute(sql: "INSERT OR IGNORE INTO agg_touched SELECT order_key FROM sales_order WHERE order_key >= ?",
                       arguments: [state.newOrdersFrom])
        try db.execute(sql: "INSERT INTO agg_affected SELECT order_key FROM agg_touched")
        for range in window.symmetricDifference(state.window) {
            try db.execute(sql: "INSERT OR IGNORE INTO agg_affected SELECT order_key FROM agg_order WHERE ordered_at >= ? AND ordered_at < ?",
                           arguments: [range.from, range.until])
        }

        var deltas = AggregateDeltas(categoryOf: categoryMap.categoryOf)
        // CROSS JOIN keeps the affected orders the outer loop: the planner knows nothing of a temp
        // table's size and otherwise scans all of agg_order (3M rows) to find a few thousand.
        // Out: each affected order as it was aggregated, if it was in the old window. Orders a load
        // touched had their lines kept in aggregate_replaced_line before the load changed them.
        try db.execute(sql: "INSERT OR IGNORE INTO agg_affected_customer SELECT customer_key FROM agg_order WHERE order_key IN agg_affected AND customer_key IS NOT NULL")
        try Self.forEachOrder(db, sql: """
            SELECT o.order_key, o.day, l.product_key, l.quantity, l.amount_minor, COALESCE(l.bonus_earned_minor, 0), COALESCE(l.bonus_spent_minor, 0)
            FROM agg_affected a CROSS JOIN agg_order o ON o.order_key = a.order_key CROSS JOIN aggregate_replaced_line l ON l.order_key = o.order_key
            WHERE a.order_key IN aggregate_pending_order AND \(state.window.sql("o.ordered_at"))
            UNION ALL
            SELECT o.order_key, o.day, l.product_key, l.quantity, l.amount_minor, COALESCE(l.bonus_earned_minor, 0), COALESCE(l.bonus_spent_minor, 0)
            FROM agg_affected a CROSS JOIN agg_order o ON o.order_key = a.order_key CROSS JOIN order_line l ON l.order_key = o.order_key
            WHERE a.order_key NOT IN aggregate_pending_order AND \(state.window.sql("o.ordered_at"))
            ORDER BY 1
            """) { lines, day in deltas.add(order: lines, day: day, sign: -1) }

        // The touched orders' own rows, then in: every affected order as it is now, if in the window.
        try db.execute(sql: """
            DELETE FROM agg_order WHERE order_key IN agg_touched;
            INSERT INTO agg_order (\(AggregateDefinitions.orderColumns.joined(separator: ", ")))
            \(AggregateDefinitions.orders(where: "order_key IN agg_touched"));
            INSERT OR IGNORE INTO agg_affected_customer SELECT customer_key FROM agg_order WHERE order_key IN agg_affected AND customer_key IS NOT NULL;
            """)
        try Self.forEachOrder(db, sql: """
            SELECT o.order_key, o.day, l.product_key, l.quantity, l.amount_minor, COALESCE(l.bonus_earned_minor, 0), COALESCE(l.bonus_spent_minor, 0)
            FROM agg_affected a CROSS JOIN agg_order o ON o.order_key = a.order_key CROSS JOIN order_line l ON l.order_key = o.order_key
            WHERE \(window.sql("o.ordered_at"))
            ORDER BY 1
            """) { lines, day in deltas.add(order: lines, day: day, sign: 1) }

        // The affected customers' rows: taken out, recomputed from the reference, put back in.
        try Self.forEachCustomerProduct(db, where: "customer_key IN agg_affected_customer") { product, days in
            deltas.add(customerProduct: product, days: days, sign: -1)
        }
        try db.execute(sql: """
            DELETE FROM agg_customer WHERE customer_key IN agg_affected_customer;
            DELETE FROM agg_customer_product WHERE customer_key IN agg_affected_customer;
            DELETE FROM agg_customer_month WHERE customer_key IN agg_affected_customer;
            DELETE FROM agg_customer_hour WHERE customer_key IN agg_affected_customer;
            """)
        try insertCustomers(db, customersIn: "agg_affected_customer")
        try Self.forEachCustomerProduct(db, where: "customer_key IN agg_affected_customer") { product, days in
            deltas.add(customerProduct: product, days: days, sign: 1)
        }
        try deltas.apply(db)

        let orders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_affected") ?? 0
        let customers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_affected_customer") ?? 0
        try db.execute(sql: "DROP TABLE temp.agg_touched; DROP TABLE temp.agg_affected; DROP TABLE temp.agg_affected_customer")
        try finish(db, lastOrder: lastOrder, categoryMap: categoryMap.digest)
        return Report(rebuilt: false, orders: orders, customers: customers, seconds: 0)
    }

    private func rebuild(_ db: Database) throws -> Report {
        let lastOrder = try Int64.fetchOne(db, sql: "SELECT MAX(order_key) FROM sales_order") ?? 0
        let categoryMap = try AggregateDeltas.categoryMap(db)
        try AggregateRebuild(window: window, clock: try ZoneClock(identifier: timezone), categoryOf: categoryMap.categoryOf).run(db)
        let orders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_order") ?? 0
        let customers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agg_customer") ?? 0
        try finish(db, lastOrder: lastOrder, categoryMap: categoryMap.digest)
        return Report(rebuilt: true, orders: orders, customers: customers, seconds: 0)
    }

    /// agg_customer and agg_customer_product from the maintained agg_order (for some customers).
    private func insertCustomers(_ db: Database, customersIn: String?) throws {
        try db.execute(sql: """
            INSERT INTO agg_customer (\(AggregateDefinitions.customerColumns.joined(separator: ", ")))
            \(AggregateDefinitions.customers(orders: "SELECT * FROM agg_order", window: window, customersIn: customersIn));
            INSERT INTO agg_customer_product (\(AggregateDefinitions.customerProductColumns.joined(separator: ", ")))
            \(AggregateDefinitions.customerProducts(orders: "SELECT * FROM agg_order", window: window, customersIn: customersIn));
            INSERT INTO agg_customer_month (customer_key, month, paid_orders)
            \(AggregateDefinitions.customerMonths(orders: "SELECT * FROM agg_order", window: window, customersIn: customersIn));
            INSERT INTO agg_customer_hour (customer_key, weekday_hour, paid_orders)
            \(AggregateDefinitions.customerHours(orders: "SELECT * FROM agg_order", window: window, customersIn: customersIn));
            """)
    }

    func finish(_ db: Database, lastOrder: Int64, categoryMap: String) throws {
        // Aggregates maintained here (engine: sqlite, or `loyalty rebuild`) moved on without the
        // lake: the next Spark night rewrites the whole lake rather than trust it.
        if try db.tableExists("aggregate_lake") { try db.execute(sql: "DELETE FROM aggregate_lake") }
        try db.execute(sql: """
            DELETE FROM aggregate_pending_order;
            DELETE FROM aggregate_replaced_line;
            INSERT OR REPLACE INTO aggregate_state (id, definitions, timezone, window_from, window_until, new_orders_from, category_map, maintained_at)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [AggregateDefinitions.version, timezone, window.from, window.until, lastOrder + 1, categoryMap,
                             CivilDate.formatTimestamp(Int64(Date().timeIntervalSince1970))])
    }

    /// Calls `body` with each order's lines; `sql` gives (order, day, product, quantity, amount,
    /// bonus earned, bonus spent) ordered by order.
    private static func forEachOrder(_ db: Database, sql: String, _ body: ([AggregateDeltas.Line], Int64) -> Void) throws {
        var lines: [AggregateDeltas.Line] = []
        var order: Int64 = .min, day: Int64 = 0
        try RowScan.forEach(db, sql: sql) { row in
            if row.int64(0) != order {
                if !lines.isEmpty { body(lines, day) }
                lines.removeAll(keepingCapacity: true)
                order = row.int64(0)
                day = row.int64(1)
            }
            lines.append(AggregateDeltas.Line(product: row.int64(2), quantity: row.int64(3), amountMinor: row.int64(4),
                                              bonusEarnedMinor: row.int64(5), bonusSpentMinor: row.int64(6)))
        }
        if !lines.isEmpty { body(lines, day) }
    }

    private static func forEachCustomerProduct(_ db: Database, where condition: String?, _ body: (Int64, [Int64]) -> Void) throws {
        try RowScan.forEach(db, sql: "SELECT product_key, days FROM agg_customer_product \(condition.map { "WHERE \($0)" } ?? "")") { row in
            body(row.int64(0), AggregateDeltas.days(row.text(1)))
        }
    }
}
