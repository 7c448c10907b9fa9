import GRDB

/// Per-customer purchase aggregates over the analysis window: the one heavy aggregation of the
/// segment stage, kept behind this seam (order lines in → one row per customer out) so that it can
/// also be computed elsewhere (Spark SQL) and maintained incrementally.
///
/// An order counts as a purchase when its net amount (returns subtract) is positive; monetary is
/// the sum of all net line amounts in the window.
struct CustomerAggregates {
    /// Indexed by customer key.
    var frequency: [Int32]
    var monetaryMinor: [Int64]
    /// UTC seconds of the first and last purchase; `Int64.min` when none.
    var firstPurchaseAt: [Int64]
    var lastPurchaseAt: [Int64]
    /// Distinct local days with a purchase.
    var activeDays: [Int32]

    /// - Parameters:
    ///   - from: first UTC second of the window (inclusive), or nil for all history.
    ///   - until: first UTC second after the window (`as_of + 1 day`, local).
    /// - Complexity: one pass over the window's order lines in key order (no sort), split in two
    ///   halves read in parallel, then a sort of the (customer, day) pairs of purchases.
    static func load(_ warehouse: Warehouse, from: Int64?, until: Int64, maxCustomerKey: Int, timezone: String,
                     splitAbove: Int64 = ParallelOrderScan.minimumOrdersToSplit) throws -> CustomerAggregates {
        let parts = try ParallelOrderScan.run(warehouse, minimumOrdersToSplit: splitAbove) { db, firstOrder, lastOrder in
            try scan(db, orders: firstOrder...max(firstOrder, lastOrder), from: from, until: until, size: maxCustomerKey + 1,
                     clock: try ZoneClock(identifier: timezone))
        }
        var total = parts[0].aggregates
        var purchaseDays = parts[0].purchaseDays
        for part in parts.dropFirst() {
            for customer in 0...maxCustomerKey where part.aggregates.monetaryMinor[customer] != 0 || part.aggregates.frequency[customer] != 0 {
                total.monetaryMinor[customer] += part.aggregates.monetaryMinor[customer]
                total.frequency[customer] += part.aggregates.frequency[customer]
                let first = part.aggregates.firstPurchaseAt[customer]
                if first != .min && (total.firstPurchaseAt[customer] == .min || first < total.firstPurchaseAt[customer]) {
                    total.firstPurchaseAt[customer] = first
                }
                total.lastPurchaseAt[customer] = max(total.lastPurchaseAt[customer], part.aggregates.lastPurchaseAt[customer])
            }
            purchaseDays += part.purchaseDays
        }
        purchaseDays.sort()
        var previous: UInt64 = .max
        for key in purchaseDays where key != previous {
            total.activeDays[Int(key >> 32)] += 1
            previous = key
        }
        return total
    }

    /// Aggregates the orders with keys in `orders`; active days are left to the caller, which
    /// counts the distinct (customer, day) keys returned.
    private static func scan(_ db: Database, orders: ClosedRange<Int64>, from: Int64?, until: Int64, size: Int, clock: ZoneClock)
        throws -> (aggregates: CustomerAggregates, purchaseDays: [UInt64]) {
        var aggregates = CustomerAggregates(
            frequency: [Int32](repeating: 0, count: size), monetaryMinor: [Int64](repeating: 0, count: size),
            firstPurchaseAt: [Int64](repeating: .min, count: size), lastPurchaseAt: [Int64](repeating: .min, count: size),
            activeDays: [Int32](repeating: 0, count: size))
        var purchaseDays: [UInt64] = []
        // Lines come in primary-key order, so an order's lines are adjacent: grouping them here
        // costs less than SQLite's GROUP BY.
        var order: Int64 = -1, customer = 0, at: Int64 = 0, net: Int64 = 0
        func closeOrder() {
            guard order >= 0 else { return }
            aggregates.monetaryMinor[customer] += net
            guard net > 0 else { return }
            aggregates.frequency[customer] += 1
            if aggregates.firstPurchaseAt[customer] == .min || at < aggregates.firstPurchaseAt[customer] {
                aggregates.firstPurchaseAt[customer] = at
            }
            if at > aggregates.lastPurchaseAt[customer] { aggregates.lastPurchaseAt[customer] = at }
            let day = clock.localDay(utcSeconds: at)
            purchaseDays.append(UInt64(customer) << 32 | UInt64(UInt32(truncatingIfNeeded: day + (1 << 31))))
        }
        try RowScan.forEach(db, sql: """
            SELECT order_key, customer_key, ordered_at, amount_minor FROM order_line
            WHERE order_key BETWEEN ? AND ? AND customer_key IS NOT NULL AND ordered_at >= ? AND ordered_at < ?
            ORDER BY order_key
            """, arguments: [orders.lowerBound, orders.upperBound, from ?? Int64.min, until]) { row in
            let lineOrder = row.int64(0), lineAt = row.int64(2)
            if lineOrder != order {
                closeOrder()
                order = lineOrder
                customer = Int(row.int64(1))
                at = lineAt
                net = 0
            }
            at = min(at, lineAt)
            net += row.int64(3)
        }
        closeOrder()
        return (aggregates, purchaseDays)
    }
}
