import GRDB

/// Per-product sales up to `as_of`: the enrich stage's one heavy aggregation, kept behind this
/// seam (order lines in → per-product sums and purchase occasions out).
///
/// Anonymous lines count for units, revenue and orders; buyers and repeat purchases need a customer.
struct ProductSales {
    /// Indexed by product key.
    var units: [Int64]
    var revenueMinor: [Int64]
    /// Orders with a positive quantity of the product.
    var orders: [Int64]
    /// Net revenue per product and calendar month (index product × 12 + month − 1).
    var monthRevenueMinor: [Int64]
    /// (product, customer, local day) of every positive-quantity line with a customer, sorted.
    var occasions: [Occasion]
    /// Local day of the first line, or nil when there are none.
    var firstDay: Int64?

    struct Occasion: Comparable {
        let product: Int32
        let customer: Int32
        let day: Int32

        static func < (a: Occasion, b: Occasion) -> Bool {
            (a.product, a.customer, a.day) < (b.product, b.customer, b.day)
        }
    }

    /// - Complexity: one pass over the order lines in key order, then a sort of the occasions.
    static func load(_ db: Database, until: Int64, maxProductKey: Int, clock: ZoneClock) throws -> ProductSales {
        let size = maxProductKey + 1
        var sales = ProductSales(
            units: [Int64](repeating: 0, count: size), revenueMinor: [Int64](repeating: 0, count: size),
            orders: [Int64](repeating: 0, count: size), monthRevenueMinor: [Int64](repeating: 0, count: size * 12),
            occasions: [], firstDay: nil)
        var lastOrder: Int64 = -1, lastProduct: Int64 = -1
        var cachedDay: Int64 = .min, cachedMonth = 0
        try RowScan.forEach(db, sql: """
            SELECT order_key, product_key, customer_key, ordered_at, quantity, amount_minor FROM order_line
            WHERE ordered_at < ?
            ORDER BY order_key, product_key
            """, arguments: [until]) { row in
            let order = row.int64(0), product = row.int64(1)
            let quantity = row.int64(4), amount = row.int64(5)
            let p = Int(product)
            sales.units[p] += quantity
            sales.revenueMinor[p] += amount
            let day = clock.localDay(utcSeconds: row.int64(3))
            if day != cachedDay {
                cachedDay = day
                cachedMonth = CivilDate.civil(day).month
            }
            sales.monthRevenueMinor[p * 12 + cachedMonth - 1] += amount
            if sales.firstDay.map({ day < $0 }) ?? true { sales.firstDay = day }
            guard quantity > 0 else { return }
            // Lines come in (order, product, line) order: one order counts once per product.
            if order != lastOrder || product != lastProduct {
                sales.orders[p] += 1
                lastOrder = order
                lastProduct = product
            }
            if !row.isNull(2) {
                sales.occasions.append(Occasion(product: Int32(product), customer: Int32(row.int64(2)), day: Int32(day)))
            }
        }
        sales.occasions.sort()
        return sales
    }
}
