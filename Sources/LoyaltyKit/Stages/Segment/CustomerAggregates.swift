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
    /// - Complexity: one pass over the window's order lines in key order (no sort), then a sort of
    ///   the (customer, day) pairs of purchases.
    static func load(_ db: Database, from: Int64?, until: Int64, maxCustomerKey: Int, clock: ZoneClock) throws -> CustomerAggregates {
        let size = maxCustomerKey + 1
        var aggregates = CustomerAggregates(
            frequency: [Int32](repeating: 0, count: size), monetaryMinor: [Int64](repeating: 0, count: size),
            firstPurchaseAt: [Int64](repeating: .min, count: size), lastPurchaseAt: [Int64](repeating: .min, count: size),
            activeDays: [Int32](repeating: 0, count: size))
        var purchaseDays: [UInt64] = []
        // GROUP BY order_key follows the primary key: SQLite streams it without a temporary index.
        try RowScan.forEach(db, sql: """
            SELECT customer_key, MIN(ordered_at), SUM(amount_minor) FROM order_line
            WHERE customer_key IS NOT NULL AND ordered_at >= ? AND ordered_at < ?
            GROUP BY order_key
            """, arguments: [from ?? Int64.min, until]) { row in
            let customer = Int(row.int64(0))
            let at = row.int64(1)
            let net = row.int64(2)
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
        purchaseDays.sort()
        var previous: UInt64 = .max
        for key in purchaseDays where key != previous {
            aggregates.activeDays[Int(key >> 32)] += 1
            previous = key
        }
        return aggregates
    }
}
