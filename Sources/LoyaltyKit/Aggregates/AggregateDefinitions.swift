import GRDB

/// The reference definition of every aggregate: plain SQL `GROUP BY`s over `order_line`, written
/// once. Rebuilds and maintenance run them (restricted to the keys a load touched), `loyalty verify`
/// compares the maintained tables with them, and tests use them as the oracle.
///
/// An order's time is its first line's `ordered_at`; its local day and hour come from the
/// pipeline's time zone (`local_day`, `local_hour`, `month_of_day`: `AggregateFunctions`). An order
/// is in the figures window when its time is; then all its lines count.
enum AggregateDefinitions {
    /// Bumped whenever a definition changes meaning: a warehouse maintained under another version
    /// is rebuilt on its next run.
    static let version = 4

    /// How a table's rows depend on the orders, which is what lets an engine maintain it from
    /// the orders a night changed rather than from the whole window.
    enum Kind {
        /// One row per order, all history: the touched orders' rows are replaced.
        case perOrder
        /// Rows keyed by customer, each from that customer's orders in the window alone: the
        /// affected customers' rows are replaced.
        case perCustomer
        /// Every value column a sum over orders and over customers (counts of orders, of
        /// customers, of one customer's repeat purchases): the new rows of the changed orders'
        /// customers minus their old rows are added. A row summing to zero is absent from the
        /// reference, except the one row of a table without a key to group by.
        case summed(dropsZeroRows: Bool)
    }

    struct Table {
        let name: String
        /// Columns in key order first; `verify` compares whole rows.
        let columns: [String]
        let keyColumns: Int
        let kind: Kind
        /// The reference rows for a window (ignored by the all-history tables), in a dialect.
        let reference: (FiguresWindow, SQLDialect) -> String
    }

    static let tables: [Table] = [
        Table(name: "agg_order", columns: orderColumns, keyColumns: 1, kind: .perOrder) { _, _ in orders(where: nil) },
        Table(name: "agg_total", columns: ["id", "orders", "paid_orders", "baskets", "revenue_minor", "bonus_earned_minor", "bonus_spent_minor"],
              keyColumns: 1, kind: .summed(dropsZeroRows: false)) { window, _ in total(orders: orders(where: nil), window: window) },
        Table(name: "agg_customer", columns: customerColumns, keyColumns: 1, kind: .perCustomer) { window, _ in
            customers(orders: orders(where: nil), window: window)
        },
        Table(name: "agg_customer_product", columns: customerProductColumns, keyColumns: 2, kind: .perCustomer) { window, dialect in
            customerProducts(orders: orders(where: nil), window: window, dialect: dialect)
        },
        Table(name: "agg_customer_month", columns: ["customer_key", "month", "paid_orders"], keyColumns: 2, kind: .perCustomer) { window, _ in
            customerMonths(orders: orders(where: nil), window: window)
        },
        Table(name: "agg_customer_hour", columns: ["customer_key", "weekday_hour", "paid_orders"], keyColumns: 2, kind: .perCustomer) { window, _ in
            customerHours(orders: orders(where: nil), window: window)
        },
        Table(name: "agg_product", columns: productColumns, keyColumns: 1, kind: .summed(dropsZeroRows: true)) { products(window: $0, dialect: $1) },
        Table(name: "agg_category_month", columns: ["category_key", "month", "lines", "units", "revenue_minor", "paid_orders"], keyColumns: 2,
              kind: .summed(dropsZeroRows: true)) { window, _ in
            categoryMonths(window: window)
        },
        Table(name: "agg_product_month", columns: ["product_key", "month", "lines", "units", "revenue_minor"], keyColumns: 2,
              kind: .summed(dropsZeroRows: true)) { window, _ in
            productMonths(window: window)
        },
        Table(name: "agg_product_gap", columns: ["product_key", "gap_days", "gaps"], keyColumns: 2, kind: .summed(dropsZeroRows: true)) { window, _ in
            productGaps(window: window)
        },
        Table(name: "agg_product_pair", columns: ["product_a_key", "product_b_key", "orders"], keyColumns: 2, kind: .summed(dropsZeroRows: true)) {
            window, _ in productPairs(window: window)
        },
        Table(name: "agg_category_basket", columns: ["category_key", "baskets"], keyColumns: 1, kind: .summed(dropsZeroRows: true)) { window, _ in
            categoryBaskets(window: window)
        },
        Table(name: "agg_category_pair", columns: ["category_a_key", "category_b_key", "orders"], keyColumns: 2, kind: .summed(dropsZeroRows: true)) {
            window, _ in categoryPairs(window: window)
        },
    ]

    static let orderColumns = ["order_key", "customer_key", "ordered_at", "day", "hour", "net_minor", "units", "basket_products",
                               "bonus_earned_minor", "bonus_spent_minor"]
    static let customerColumns = ["customer_key", "orders", "net_minor", "first_purchase_at", "last_purchase_at", "active_days",
                                  "repeat_net_minor"]
    static let productColumns = ["product_key", "lines", "units", "revenue_minor", "orders", "buyers", "repeat_buyers", "basket_amount_minor"]
    static let customerProductColumns = ["customer_key", "product_key", "purchase_days", "units", "spent_minor", "first_day", "last_day", "days"]

    /// One row per order: its customer, time, net amount (returns subtract), units, distinct
    /// products bought (positive quantity) and bonus points. All history, no window.
    static func orders(where condition: String?) -> String {
        """
        SELECT order_key, MIN(customer_key) AS customer_key, MIN(ordered_at) AS ordered_at,
               local_day(MIN(ordered_at)) AS day, local_hour(MIN(ordered_at)) AS hour,
               SUM(amount_minor) AS net_minor, SUM(quantity) AS units,
               COUNT(DISTINCT CASE WHEN quantity > 0 THEN product_key END) AS basket_products,
               SUM(COALESCE(bonus_earned_minor, 0)) AS bonus_earned_minor, SUM(COALESCE(bonus_spent_minor, 0)) AS bonus_spent_minor
        FROM order_line \(condition.map { "WHERE \($0)" } ?? "") GROUP BY order_key
        """
    }

    /// The window's sales in one row: orders, orders of positive net amount, baskets (orders with
    /// a bought product), revenue and bonus points; anonymous orders included.
    static func total(orders: String, window: FiguresWindow) -> String {
        """
        SELECT 1 AS id, COUNT(*) AS orders, COALESCE(SUM(CASE WHEN net_minor > 0 THEN 1 ELSE 0 END), 0) AS paid_orders,
               COALESCE(SUM(CASE WHEN basket_products > 0 THEN 1 ELSE 0 END), 0) AS baskets,
               COALESCE(SUM(net_minor), 0) AS revenue_minor, COALESCE(SUM(bonus_earned_minor), 0) AS bonus_earned_minor,
               COALESCE(SUM(bonus_spent_minor), 0) AS bonus_spent_minor
        FROM (\(orders)) WHERE \(window.sql("ordered_at"))
        """
    }

    /// Per customer with an order in the window: purchases (orders of positive net amount), net
    /// amount of all orders, first and last purchase time, distinct local days with a purchase, and
    /// the net amount of the purchases made after the first purchase day (customer value's spend
    /// per repeat purchase day is it divided by active_days − 1).
    /// - Parameter orders: SQL giving `orders(where:)`'s columns (the reference, or `agg_order`).
    /// - Parameter customersIn: a table of customer keys to restrict the rows to (maintenance).
    static func customers(orders: String, window: FiguresWindow, customersIn: String? = nil) -> String {
        """
        SELECT customer_key, SUM(CASE WHEN net_minor > 0 THEN 1 ELSE 0 END) AS orders, SUM(net_minor) AS net_minor,
               MIN(CASE WHEN net_minor > 0 THEN ordered_at END) AS first_purchase_at,
               MAX(CASE WHEN net_minor > 0 THEN ordered_at END) AS last_purchase_at,
               COUNT(DISTINCT CASE WHEN net_minor > 0 THEN day END) AS active_days,
               SUM(CASE WHEN net_minor > 0 AND day > first_day THEN net_minor ELSE 0 END) AS repeat_net_minor
        FROM (SELECT *, MIN(CASE WHEN net_minor > 0 THEN day END) OVER (PARTITION BY customer_key) AS first_day
              FROM (\(orders)) WHERE customer_key IS NOT NULL AND \(window.sql("ordered_at")) \(customersIn.map { "AND customer_key IN \($0)" } ?? ""))
        GROUP BY customer_key
        """
    }

    /// Per customer and calendar month (year × 12 + month − 1) with a purchase in the window: the
    /// orders of positive net amount (cohort retention).
    static func customerMonths(orders: String, window: FiguresWindow, customersIn: String? = nil) -> String {
        """
        SELECT customer_key, month_of_day(day) AS month, COUNT(*) AS paid_orders
        FROM (\(orders)) WHERE customer_key IS NOT NULL AND net_minor > 0 AND \(window.sql("ordered_at")) \(customersIn.map { "AND customer_key IN \($0)" } ?? "")
        GROUP BY 1, 2
        """
    }

    /// Per customer and local weekday (0 = Monday) × 24 + hour: orders of positive net amount
    /// in the window (contact hours).
    static func customerHours(orders: String, window: FiguresWindow, customersIn: String? = nil) -> String {
        """
        SELECT customer_key, weekday_of_day(day) * 24 + hour AS weekday_hour, COUNT(*) AS paid_orders
        FROM (\(orders)) WHERE customer_key IS NOT NULL AND net_minor > 0 AND \(window.sql("ordered_at")) \(customersIn.map { "AND customer_key IN \($0)" } ?? "")
        GROUP BY 1, 2
        """
    }

    /// Per customer, product and local day in the window: units and amount of the lines bought
    /// (positive quantity).
    static func customerProductDays(orders: String, window: FiguresWindow, customersIn: String? = nil) -> String {
        """
        SELECT o.customer_key, l.product_key, o.day, SUM(l.quantity) AS units, SUM(l.amount_minor) AS spent_minor
        FROM (\(orders)) o JOIN order_line l ON l.order_key = o.order_key AND l.customer_key = o.customer_key
        WHERE o.customer_key IS NOT NULL AND l.quantity > 0 AND \(window.sql("o.ordered_at")) \(customersIn.map { "AND o.customer_key IN \($0)" } ?? "")
        GROUP BY o.customer_key, l.product_key, o.day
        """
    }

    /// Per customer and product bought in the window: purchase days (distinct local days), units,
    /// amount, first and last day, and the days themselves (ascending day numbers, space-separated:
    /// replenishment gaps and decayed affinities are worked out from them).
    static func customerProducts(orders: String, window: FiguresWindow, customersIn: String? = nil, dialect: SQLDialect = .sqlite) -> String {
        """
        SELECT customer_key, product_key, COUNT(*) AS purchase_days, SUM(units) AS units, SUM(spent_minor) AS spent_minor,
               MIN(day) AS first_day, MAX(day) AS last_day, \(dialect.daysAscending("day")) AS days
        FROM (\(customerProductDays(orders: orders, window: window, customersIn: customersIn)) ORDER BY 1, 2, 3)
        GROUP BY customer_key, product_key
        """
    }

    /// Every line of the orders in the window, with its order's local day and net amount.
    static func windowLines(window: FiguresWindow) -> String {
        """
        SELECT l.order_key, l.product_key, l.customer_key, l.quantity, l.amount_minor, o.day, o.net_minor AS order_net_minor
        FROM (\(orders(where: nil))) o JOIN order_line l ON l.order_key = o.order_key
        WHERE \(window.sql("o.ordered_at"))
        """
    }

    /// Per product sold in the window: lines, units and revenue (anonymous orders included), orders
    /// with the product bought, buyers (customers who bought it), repeat buyers (on two days or
    /// more), and the net amounts of the orders it was bought in (their average is the check).
    static func products(window: FiguresWindow, dialect: SQLDialect = .sqlite) -> String {
        """
        SELECT p.product_key, p.lines, p.units, p.revenue_minor, p.orders, COALESCE(b.buyers, 0) AS buyers,
               COALESCE(b.repeat_buyers, 0) AS repeat_buyers, COALESCE(k.basket_amount_minor, 0) AS basket_amount_minor
        FROM (SELECT product_key, COUNT(*) AS lines, SUM(quantity) AS units, SUM(amount_minor) AS revenue_minor,
                     COUNT(DISTINCT CASE WHEN quantity > 0 THEN order_key END) AS orders
              FROM (\(windowLines(window: window))) GROUP BY product_key) p
        LEFT JOIN (SELECT product_key, SUM(order_net_minor) AS basket_amount_minor
                   FROM (SELECT DISTINCT order_key, product_key, order_net_minor FROM (\(windowLines(window: window))) WHERE quantity > 0)
                   GROUP BY product_key) k USING (product_key)
        LEFT JOIN (SELECT product_key, COUNT(*) AS buyers, SUM(CASE WHEN purchase_days >= 2 THEN 1 ELSE 0 END) AS repeat_buyers
                   FROM (\(customerProducts(orders: orders(where: nil), window: window, dialect: dialect))) GROUP BY product_key) b
        USING (product_key)
        """
    }

    /// Per product and calendar month (year × 12 + month − 1) of the window: lines, units, revenue.
    static func productMonths(window: FiguresWindow) -> String {
        """
        SELECT product_key, month_of_day(day) AS month, COUNT(*) AS lines, SUM(quantity) AS units, SUM(amount_minor) AS revenue_minor
        FROM (\(windowLines(window: window))) GROUP BY 1, 2
        """
    }

    /// Per category (each product's own) and calendar month of the window: lines, units, revenue
    /// and the orders of positive net amount holding the category.
    static func categoryMonths(window: FiguresWindow) -> String {
        """
        SELECT p.category_key, month_of_day(w.day) AS month, COUNT(*) AS lines, SUM(w.quantity) AS units,
               SUM(w.amount_minor) AS revenue_minor, COUNT(DISTINCT CASE WHEN w.order_net_minor > 0 THEN w.order_key END) AS paid_orders
        FROM (\(windowLines(window: window))) w JOIN product p ON p.product_key = w.product_key
        WHERE p.category_key IS NOT NULL GROUP BY 1, 2
        """
    }

    /// Per product: how many times a customer bought it again after `gap_days` days (the gaps
    /// between one customer's consecutive purchase days of the product).
    static func productGaps(window: FiguresWindow) -> String {
        """
        SELECT product_key, gap AS gap_days, COUNT(*) AS gaps
        FROM (SELECT product_key, day - LAG(day) OVER (PARTITION BY customer_key, product_key ORDER BY day) AS gap
              FROM (\(customerProductDays(orders: orders(where: nil), window: window))))
        WHERE gap IS NOT NULL GROUP BY 1, 2
        """
    }

    /// Per pair of products a < b (by key) bought in the same order: the orders holding both.
    static func productPairs(window: FiguresWindow) -> String {
        let bought = "SELECT DISTINCT order_key, product_key FROM (\(windowLines(window: window))) WHERE quantity > 0"
        return """
            SELECT a.product_key AS product_a_key, b.product_key AS product_b_key, COUNT(*) AS orders
            FROM (\(bought)) a JOIN (\(bought)) b ON a.order_key = b.order_key AND a.product_key < b.product_key
            GROUP BY 1, 2
            """
    }
}

extension AggregateDefinitions {
    /// The distinct categories (each product's own) of the products bought in each order of the window.
    static func boughtCategories(window: FiguresWindow) -> String {
        """
        SELECT DISTINCT w.order_key, p.category_key FROM (\(windowLines(window: window))) w JOIN product p ON p.product_key = w.product_key
        WHERE w.quantity > 0 AND p.category_key IS NOT NULL
        """
    }

    /// Per category: the window's orders with a product of it bought.
    static func categoryBaskets(window: FiguresWindow) -> String {
        "SELECT category_key, COUNT(*) AS baskets FROM (\(boughtCategories(window: window))) GROUP BY category_key"
    }

    /// Per pair of categories a < b (by key) bought in the same order: the orders holding both.
    static func categoryPairs(window: FiguresWindow) -> String {
        """
        SELECT a.category_key AS category_a_key, b.category_key AS category_b_key, COUNT(*) AS orders
        FROM (\(boughtCategories(window: window))) a JOIN (\(boughtCategories(window: window))) b
            ON a.order_key = b.order_key AND a.category_key < b.category_key
        GROUP BY 1, 2
        """
    }
}

/// Where the definitions' SQL runs. It is written once in the SQL both engines read; the one
/// thing they spell differently is a group's values joined in order.
enum SQLDialect: Sendable {
    case sqlite, spark

    /// A group's `column` values ascending, space-separated. SQLite 3.40 (Debian's) has no ORDER BY
    /// inside group_concat: it keeps the order of its input, which the definitions sort.
    func daysAscending(_ column: String) -> String {
        switch self {
        case .sqlite: return "group_concat(\(column), ' ')"
        case .spark: return "listagg(CAST(\(column) AS STRING), ' ') WITHIN GROUP (ORDER BY \(column))"
        }
    }
}

/// The SQL functions the definitions use, bound to the pipeline's time zone on one connection.
enum AggregateFunctions {
    static func install(_ db: Database, timezone: String) throws {
        let clock = try ZoneClock(identifier: timezone)
        db.add(function: DatabaseFunction("local_day", argumentCount: 1, pure: true) { values in
            guard let seconds = Int64.fromDatabaseValue(values[0]) else { return nil }
            return clock.localDay(utcSeconds: seconds)
        })
        db.add(function: DatabaseFunction("local_hour", argumentCount: 1, pure: true) { values in
            guard let seconds = Int64.fromDatabaseValue(values[0]) else { return nil }
            let local = clock.localSeconds(utcSeconds: seconds)
            return (local - ZoneClock.day(ofLocalSeconds: local) * 86_400) / 3600
        })
        db.add(function: DatabaseFunction("weekday_of_day", argumentCount: 1, pure: true) { values in
            guard let day = Int64.fromDatabaseValue(values[0]) else { return nil }
            return Int64(CivilDate.weekdayIndex(day))
        })
        db.add(function: DatabaseFunction("month_of_day", argumentCount: 1, pure: true) { values in
            guard let day = Int64.fromDatabaseValue(values[0]) else { return nil }
            return Int64(CivilDate.month(ofDay: day))
        })
    }
}

extension CivilDate {
    /// Months counted as year × 12 + month − 1.
    static func month(ofDay day: Int64) -> Int {
        let date = civil(day)
        return date.year * 12 + date.month - 1
    }
}
