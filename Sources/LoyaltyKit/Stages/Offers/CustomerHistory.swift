import Foundation
import GRDB

/// What each customer bought, product by product: the one heavy aggregation of the offers stage,
/// kept behind this seam (order lines in → per-customer product histories out).
///
/// Purchases are lines with a positive quantity and a customer. A product's "orders" are the
/// distinct local days the customer bought it (two lines on one day are one purchase occasion).
struct CustomerHistory {
    struct Purchase {
        let customer: Int32
        let product: Int32
        let day: Int32
        let quantity: Int32
        let amountMinor: Int64
    }

    /// One customer's figures for one product.
    struct ProductHistory: Equatable {
        let product: Int32
        let orders: Int
        let units: Int
        let spentMinor: Int64
        let firstDay: Int64
        let lastDay: Int64
        /// Median of the gaps in days between consecutive purchase days (nil with one purchase day).
        let medianGapDays: Double?
        let gaps: Int
        /// Σ over purchase days of 0.5^(age / half-life): recent and repeated purchases weigh most.
        let affinity: Double
    }

    /// Purchases grouped by customer key: customer k's are `purchases[starts[k] ..< starts[k + 1]]`.
    private(set) var purchases: [Purchase]
    private(set) var starts: [Int]

    init(purchases unsorted: [Purchase], maxCustomerKey: Int) {
        self.init(parts: [unsorted], maxCustomerKey: maxCustomerKey)
    }

    /// - Parameter parts: purchases in any order, in several arrays (the halves of a parallel scan).
    init(parts: [[Purchase]], maxCustomerKey: Int) {
        (purchases, starts) = KeyGrouping.group(parts, maxKey: maxCustomerKey) { Int($0.customer) }
    }

    /// The customer's products in catalog order.
    func products(ofCustomerKey key: Int64, asOf: Int64, halfLifeDays: Double) -> [ProductHistory] {
        guard key >= 0, Int(key) + 1 < starts.count, starts[Int(key)] < starts[Int(key) + 1] else { return [] }
        var own = Array(purchases[starts[Int(key)]..<starts[Int(key) + 1]])
        own.sort { ($0.product, $0.day) < ($1.product, $1.day) }
        var result: [ProductHistory] = []
        var index = 0
        var days: [Int64] = []
        while index < own.count {
            let product = own[index].product
            var units = 0, spent: Int64 = 0
            days.removeAll(keepingCapacity: true)
            while index < own.count && own[index].product == product {
                units += Int(own[index].quantity)
                spent += own[index].amountMinor
                if days.last != Int64(own[index].day) { days.append(Int64(own[index].day)) }
                index += 1
            }
            let gaps = zip(days, days.dropFirst()).map { Int32(clamping: $1 - $0) }
            let median = gaps.isEmpty ? nil : Quantiles.median(gaps)
            let affinity = days.reduce(0.0) { $0 + Foundation.pow(0.5, Double(max(0, asOf - $1)) / halfLifeDays) }
            result.append(ProductHistory(product: product, orders: days.count, units: units, spentMinor: spent, firstDay: days[0],
                                         lastDay: days[days.count - 1], medianGapDays: median, gaps: gaps.count, affinity: affinity))
        }
        return result
    }

    /// Every customer's purchases up to `until`, read in two parallel halves.
    /// - Parameter indexOfProduct: catalog index by product key.
    static func load(_ warehouse: Warehouse, from: Int64?, until: Int64, maxCustomerKey: Int, timezone: String,
                     indexOfProduct: @escaping (Int64) -> Int32?) throws -> CustomerHistory {
        let parts = try ParallelOrderScan.run(warehouse) { db, firstOrder, lastOrder -> [Purchase] in
            try scan(db, where: "order_key BETWEEN ? AND ?", arguments: [firstOrder, lastOrder], from: from, until: until,
                     clock: try ZoneClock(identifier: timezone), indexOfProduct: indexOfProduct)
        }
        return CustomerHistory(parts: parts, maxCustomerKey: maxCustomerKey)
    }

    /// One customer's purchases (for `loyalty explain`): their orders, then those orders' lines.
    static func load(_ db: Database, customerKey: Int64, from: Int64?, until: Int64, timezone: String,
                     indexOfProduct: @escaping (Int64) -> Int32?) throws -> CustomerHistory {
        let purchases = try scan(db, where: "order_key IN (SELECT order_key FROM sales_order WHERE customer_key = ?)",
                                 arguments: [customerKey], from: from, until: until, clock: try ZoneClock(identifier: timezone),
                                 indexOfProduct: indexOfProduct)
        return CustomerHistory(purchases: purchases, maxCustomerKey: Int(customerKey))
    }

    private static func scan(_ db: Database, where condition: String, arguments: [Int64], from: Int64?, until: Int64, clock: ZoneClock,
                             indexOfProduct: (Int64) -> Int32?) throws -> [Purchase] {
        var purchases: [Purchase] = []
        try RowScan.forEach(db, sql: """
            SELECT customer_key, product_key, ordered_at, quantity, amount_minor FROM order_line
            WHERE \(condition) AND customer_key IS NOT NULL AND quantity > 0 AND ordered_at >= ? AND ordered_at < ?
            """, arguments: arguments + [from ?? Int64.min, until]) { row in
            guard let product = indexOfProduct(row.int64(1)) else { return }
            purchases.append(Purchase(customer: Int32(row.int64(0)), product: product, day: Int32(clock.localDay(utcSeconds: row.int64(2))),
                                      quantity: Int32(clamping: row.int64(3)), amountMinor: row.int64(4)))
        }
        return purchases
    }
}
