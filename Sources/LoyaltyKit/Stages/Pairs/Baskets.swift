import GRDB

/// The baskets of the pairs stage: per order, the products on a line with positive quantity
/// (returns never count; a product on two lines counts once), anonymous orders included. Product
/// keys are replaced by their rank in product_id byte order, so pair order is output order.
struct Baskets {
    /// Basket i holds `items[offsets[i] ..< offsets[i + 1]]` (ranks, possibly repeated).
    var offsets: [Int]
    var items: [Int32]

    /// - Parameter rankOfProduct: rank by product key (−1 for keys that are not products).
    /// - Parameters: from, until: the window, first UTC second included (nil = all history), last excluded.
    static func load(_ warehouse: Warehouse, from: Int64?, until: Int64, rankOfProduct: [Int32]) throws -> Baskets {
        let parts = try ParallelOrderScan.run(warehouse) { db, firstOrder, lastOrder -> Baskets in
            var baskets = Baskets(offsets: [0], items: [])
            var order: Int64 = -1
            try RowScan.forEach(db, sql: """
                SELECT order_key, product_key FROM order_line
                WHERE order_key BETWEEN ? AND ? AND quantity > 0 AND ordered_at >= ? AND ordered_at < ?
                ORDER BY order_key
                """, arguments: [firstOrder, lastOrder, from ?? Int64.min, until]) { row in
                let lineOrder = row.int64(0)
                if lineOrder != order {
                    if order >= 0 { baskets.offsets.append(baskets.items.count) }
                    order = lineOrder
                }
                baskets.items.append(rankOfProduct[Int(row.int64(1))])
            }
            if order >= 0 { baskets.offsets.append(baskets.items.count) }
            return baskets
        }
        var all = parts[0]
        for part in parts.dropFirst() {
            let base = all.items.count
            all.items += part.items
            all.offsets += part.offsets.dropFirst().map { $0 + base }
        }
        return all
    }

    /// The same baskets with each product replaced by `map[rank]` (e.g. its category); −1 drops it.
    func mapped(_ map: [Int32]) -> Baskets {
        var result = Baskets(offsets: [0], items: [])
        result.items.reserveCapacity(items.count)
        for basket in 0..<(offsets.count - 1) {
            for index in offsets[basket]..<offsets[basket + 1] {
                let mapped = map[Int(items[index])]
                if mapped >= 0 { result.items.append(mapped) }
            }
            result.offsets.append(result.items.count)
        }
        return result
    }
}

/// The events of the customer scope: (customer, local day, product rank) of every line with a
/// positive quantity and a customer, up to `as_of`.
enum CustomerPurchases {
    static func load(_ warehouse: Warehouse, from: Int64?, until: Int64, rankOfProduct: [Int32], timezone: String) throws -> [WindowedPairCounter.Event] {
        let parts = try ParallelOrderScan.run(warehouse) { db, firstOrder, lastOrder -> [WindowedPairCounter.Event] in
            let clock = try ZoneClock(identifier: timezone)
            var events: [WindowedPairCounter.Event] = []
            try RowScan.forEach(db, sql: """
                SELECT customer_key, ordered_at, product_key FROM order_line
                WHERE order_key BETWEEN ? AND ? AND quantity > 0 AND customer_key IS NOT NULL AND ordered_at >= ? AND ordered_at < ?
                """, arguments: [firstOrder, lastOrder, from ?? Int64.min, until]) { row in
                let day = clock.localDay(utcSeconds: row.int64(1))
                events.append(WindowedPairCounter.Event(Int32(row.int64(0)), Int32(day), rankOfProduct[Int(row.int64(2))]))
            }
            return events
        }
        return parts.flatMap { $0 }
    }
}
