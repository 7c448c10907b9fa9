import GRDB

/// One pass over the figures window's order lines for the reports: the sales totals, and every
/// customer order of positive net amount with its local time (cohorts, contact hours). Lines come
/// in order-key order, so each order's net amount is summed as its lines go by. The pass can be
/// split by order key (`ParallelOrderScan`) and its parts merged in key order.
struct OrderActivity {
    struct Order {
        let customerKey: Int32
        /// Local day number and hour of day.
        let day: Int32
        let hour: Int8
    }

    var revenueMinor: Int64 = 0
    /// Orders of positive net amount, anonymous ones included.
    var orders = 0
    var bonusEarnedMinor: Int64 = 0
    var bonusSpentMinor: Int64 = 0
    /// Customer orders of positive net amount, in order-key order.
    var customerOrders: [Order] = []

    /// One line of an order: product key, units and net amount.
    typealias Line = (productKey: Int64, units: Int64, amountMinor: Int64)

    /// - Parameter onOrder: called with each order (customer key, local day, net amount, lines) as
    ///   it ends, so other reports share the pass.
    static func load(_ db: Database, firstOrder: Int64, lastOrder: Int64, from: Int64?, until: Int64, clock: ZoneClock,
                     onOrder: (_ customer: Int64?, _ day: Int64, _ amountMinor: Int64, _ lines: [Line]) -> Void) throws -> OrderActivity {
        var activity = OrderActivity()
        var currentOrder: Int64 = -1, amount: Int64 = 0, customer: Int64? = nil, orderedAt: Int64 = 0
        var lines: [Line] = []
        func close() {
            guard currentOrder >= 0 else { return }
            let local = clock.localSeconds(utcSeconds: orderedAt)
            let day = ZoneClock.day(ofLocalSeconds: local)
            onOrder(customer, day, amount, lines)
            guard amount > 0 else { return }
            activity.orders += 1
            guard let customer else { return }
            activity.customerOrders.append(Order(customerKey: Int32(customer), day: Int32(day), hour: Int8((local - day * 86_400) / 3600)))
        }
        try RowScan.forEach(db, sql: """
            SELECT order_key, amount_minor, COALESCE(bonus_earned_minor, 0), COALESCE(bonus_spent_minor, 0), customer_key, ordered_at,
                   product_key, quantity
            FROM order_line WHERE order_key BETWEEN ? AND ? AND ordered_at >= ? AND ordered_at < ? ORDER BY order_key
            """, arguments: [firstOrder, lastOrder, from ?? Int64.min, until]) { row in
            let order = row.int64(0)
            if order != currentOrder {
                close()
                currentOrder = order
                amount = 0
                customer = row.optionalInt64(4)
                orderedAt = row.int64(5)
                lines.removeAll(keepingCapacity: true)
            }
            lines.append((row.int64(6), row.int64(7), row.int64(1)))
            amount += row.int64(1)
            activity.revenueMinor += row.int64(1)
            activity.bonusEarnedMinor += row.int64(2)
            activity.bonusSpentMinor += row.int64(3)
        }
        close()
        return activity
    }

    /// Adds a part of the pass that came after this one in order-key order.
    mutating func merge(_ later: OrderActivity) {
        revenueMinor += later.revenueMinor
        orders += later.orders
        bonusEarnedMinor += later.bonusEarnedMinor
        bonusSpentMinor += later.bonusSpentMinor
        customerOrders += later.customerOrders
    }
}
