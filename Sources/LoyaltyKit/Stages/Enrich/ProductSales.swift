import GRDB

/// Per-product sales in the figures window, read from the aggregation layer (`agg_product`,
/// `agg_product_month`, `agg_product_gap`; their meaning is in `AggregateDefinitions`).
///
/// Anonymous lines count for units, revenue and orders; buyers and repeat purchases need a customer.
struct ProductSales {
    /// Indexed by product key.
    var units: [Int64]
    var revenueMinor: [Int64]
    /// Orders with a positive quantity of the product.
    var orders: [Int64]
    /// Customers who bought the product, and those who bought it on two days or more.
    var buyers: [Int]
    var repeatBuyers: [Int]
    /// Net revenue per product and calendar month (index product × 12 + month − 1).
    var monthRevenueMinor: [Int64]
    /// Per product: (gap in days between a customer's consecutive purchase days, how often), by gap.
    var gaps: [[(days: Int32, count: Int)]]
    /// The first month with a line (year × 12 + month − 1), or nil when there are none.
    var firstMonth: Int?

    /// - Complexity: one read of each product aggregate (rows grow with products and months).
    static func load(_ db: Database, maxProductKey: Int) throws -> ProductSales {
        let size = maxProductKey + 1
        var sales = ProductSales(
            units: [Int64](repeating: 0, count: size), revenueMinor: [Int64](repeating: 0, count: size),
            orders: [Int64](repeating: 0, count: size), buyers: [Int](repeating: 0, count: size),
            repeatBuyers: [Int](repeating: 0, count: size), monthRevenueMinor: [Int64](repeating: 0, count: size * 12),
            gaps: [[(days: Int32, count: Int)]](repeating: [], count: size), firstMonth: nil)
        try RowScan.forEach(db, sql: "SELECT product_key, units, revenue_minor, orders, buyers, repeat_buyers FROM agg_product") { row in
            let p = Int(row.int64(0))
            guard p < size else { return }
            sales.units[p] = row.int64(1)
            sales.revenueMinor[p] = row.int64(2)
            sales.orders[p] = row.int64(3)
            sales.buyers[p] = Int(row.int64(4))
            sales.repeatBuyers[p] = Int(row.int64(5))
        }
        try RowScan.forEach(db, sql: "SELECT product_key, month, revenue_minor FROM agg_product_month") { row in
            let p = Int(row.int64(0)), month = Int(row.int64(1))
            sales.firstMonth = min(sales.firstMonth ?? month, month)
            guard p < size else { return }
            sales.monthRevenueMinor[p * 12 + month % 12] += row.int64(2)
        }
        try RowScan.forEach(db, sql: "SELECT product_key, gap_days, gaps FROM agg_product_gap ORDER BY product_key, gap_days") { row in
            let p = Int(row.int64(0))
            guard p < size else { return }
            sales.gaps[p].append((Int32(clamping: row.int64(1)), Int(row.int64(2))))
        }
        return sales
    }

    /// The median of a product's gaps (the mean of the two middle ones for an even count), nil
    /// for none; `gaps` are sorted by days.
    static func medianGap(_ gaps: [(days: Int32, count: Int)]) -> (median: Double, count: Int)? {
        let count = gaps.reduce(0) { $0 + $1.count }
        guard count > 0 else { return nil }
        func value(at index: Int) -> Int32 {
            var seen = 0
            for gap in gaps {
                seen += gap.count
                if index < seen { return gap.days }
            }
            return gaps[gaps.count - 1].days
        }
        let middle = count / 2
        let median = count % 2 == 1 ? Double(value(at: middle)) : (Double(value(at: middle - 1)) + Double(value(at: middle))) / 2
        return (median, count)
    }
}
