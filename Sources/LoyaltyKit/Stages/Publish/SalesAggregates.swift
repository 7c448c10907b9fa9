import GRDB

/// What the reports read from the aggregation layer for the figures window: the sales total,
/// each customer's months and weekday hours with a purchase, the products and the category months.
/// Their meanings are in `AggregateDefinitions`; nothing here reads order lines.
struct SalesAggregates {
    var revenueMinor: Int64 = 0
    /// Orders of positive net amount, anonymous ones included.
    var paidOrders = 0
    var bonusEarnedMinor: Int64 = 0
    var bonusSpentMinor: Int64 = 0
    /// Distinct (customer << 24 | month) with a purchase, ascending.
    var customerMonths: [Int64] = []
    /// (customer, weekday × 24 + hour, orders of positive net amount).
    var customerHours: [(customer: Int32, cell: Int16, orders: Int32)] = []

    static func load(_ db: Database) throws -> SalesAggregates {
        var sales = SalesAggregates()
        if let row = try Row.fetchOne(db, sql: "SELECT revenue_minor, paid_orders, bonus_earned_minor, bonus_spent_minor FROM agg_total") {
            sales.revenueMinor = row[0]
            sales.paidOrders = row[1]
            sales.bonusEarnedMinor = row[2]
            sales.bonusSpentMinor = row[3]
        }
        try RowScan.forEach(db, sql: "SELECT customer_key, month FROM agg_customer_month ORDER BY customer_key, month") { row in
            sales.customerMonths.append(row.int64(0) << 24 | row.int64(1))
        }
        try RowScan.forEach(db, sql: "SELECT customer_key, weekday_hour, paid_orders FROM agg_customer_hour") { row in
            sales.customerHours.append((Int32(row.int64(0)), Int16(row.int64(1)), Int32(row.int64(2))))
        }
        return sales
    }
}

extension ProductKPIs {
    /// Each product's row (by catalog index): sales from agg_product, revenue by the buyers'
    /// segments from agg_customer_product.
    static func rows(_ db: Database, products: Int, indexOfKey: [Int32], segments: Int, segmentOf: [Int16]) throws -> [Row] {
        var rows = [Row](repeating: Row(segmentRevenueMinor: [Int64](repeating: 0, count: segments)), count: products)
        func index(_ key: Int64) -> Int? {
            guard key >= 0, Int(key) < indexOfKey.count, indexOfKey[Int(key)] >= 0 else { return nil }
            return Int(indexOfKey[Int(key)])
        }
        try RowScan.forEach(db, sql: "SELECT product_key, units, revenue_minor, orders, basket_amount_minor, buyers, repeat_buyers FROM agg_product") { row in
            guard let product = index(row.int64(0)) else { return }
            rows[product].units = row.int64(1)
            rows[product].revenueMinor = row.int64(2)
            rows[product].orders = Int(row.int64(3))
            rows[product].orderAmountsMinor = row.int64(4)
            rows[product].buyers = Int(row.int64(5))
            rows[product].repeatBuyers = Int(row.int64(6))
        }
        try RowScan.forEach(db, sql: "SELECT customer_key, product_key, spent_minor FROM agg_customer_product") { row in
            let customer = Int(row.int64(0))
            guard customer < segmentOf.count, segmentOf[customer] >= 0, let product = index(row.int64(1)) else { return }
            rows[product].segmentRevenueMinor[Int(segmentOf[customer])] += row.int64(2)
        }
        return rows
    }
}
