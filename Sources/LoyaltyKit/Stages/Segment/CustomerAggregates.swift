import GRDB

/// Per-customer purchase figures over the figures window, read from `agg_customer` (the
/// aggregation layer keeps it; its meaning is `AggregateDefinitions.customers`).
///
/// An order counts as a purchase when its net amount (returns subtract) is positive; monetary is
/// the sum of all net order amounts in the window.
struct CustomerAggregates {
    /// Indexed by customer key.
    var frequency: [Int32]
    var monetaryMinor: [Int64]
    /// UTC seconds of the first and last purchase; `Int64.min` when none.
    var firstPurchaseAt: [Int64]
    var lastPurchaseAt: [Int64]
    /// Distinct local days with a purchase.
    var activeDays: [Int32]
    /// Net amount of the purchases after the first purchase day.
    var repeatNetMinor: [Int64]

    /// - Complexity: one read of agg_customer (one row per customer with an order in the window).
    static func load(_ db: Database, maxCustomerKey: Int) throws -> CustomerAggregates {
        let size = maxCustomerKey + 1
        var aggregates = CustomerAggregates(
            frequency: [Int32](repeating: 0, count: size), monetaryMinor: [Int64](repeating: 0, count: size),
            firstPurchaseAt: [Int64](repeating: .min, count: size), lastPurchaseAt: [Int64](repeating: .min, count: size),
            activeDays: [Int32](repeating: 0, count: size), repeatNetMinor: [Int64](repeating: 0, count: size))
        try RowScan.forEach(db, sql: """
            SELECT customer_key, orders, net_minor, first_purchase_at, last_purchase_at, active_days, repeat_net_minor
            FROM agg_customer WHERE customer_key <= ?
            """, arguments: [Int64(maxCustomerKey)]) { row in
            let customer = Int(row.int64(0))
            aggregates.frequency[customer] = Int32(row.int64(1))
            aggregates.monetaryMinor[customer] = row.int64(2)
            aggregates.firstPurchaseAt[customer] = row.optionalInt64(3) ?? .min
            aggregates.lastPurchaseAt[customer] = row.optionalInt64(4) ?? .min
            aggregates.activeDays[customer] = Int32(row.int64(5))
            aggregates.repeatNetMinor[customer] = row.int64(6)
        }
        return aggregates
    }
}
