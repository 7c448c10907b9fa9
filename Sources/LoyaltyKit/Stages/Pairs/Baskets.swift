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

/// The events of the customer scope: (customer, local day, product rank) of every purchase day of
/// a product by a customer in the figures window, from `agg_customer_product`.
enum CustomerPurchases {
    static func load(_ db: Database, rankOfProduct: [Int32]) throws -> [WindowedPairCounter.Event] {
        var events: [WindowedPairCounter.Event] = []
        try RowScan.forEach(db, sql: "SELECT customer_key, product_key, days FROM agg_customer_product") { row in
            let customer = Int32(row.int64(0)), rank = rankOfProduct[Int(row.int64(1))]
            for day in AggregateDeltas.days(row.text(2)) { events.append(WindowedPairCounter.Event(customer, Int32(day), rank)) }
        }
        return events
    }
}

/// The counts of the order scope from the aggregation layer: baskets in the window (`agg_total`),
/// baskets holding each item and every pair with at least `minCount` baskets, as `PairCounter`
/// gives them. Products: `agg_product.orders`, `agg_product_pair`; categories (each product's own):
/// `agg_category_basket`, `agg_category_pair`.
enum AggregatePairCounts {
    enum Kind {
        case product, category

        var itemCounts: String {
            self == .product ? "SELECT product_key, orders FROM agg_product WHERE orders > 0" : "SELECT category_key, baskets FROM agg_category_basket"
        }

        var pairs: String {
            self == .product ? "SELECT product_a_key, product_b_key, orders FROM agg_product_pair WHERE orders >= ?"
                : "SELECT category_a_key, category_b_key, orders FROM agg_category_pair WHERE orders >= ?"
        }
    }

    /// - Parameter rankOf: each key's rank in output order (−1 or absent: not counted).
    static func load(_ db: Database, _ kind: Kind, rankOf: (Int64) -> Int32, items: Int, minCount: Int) throws -> PairCounter.Counts {
        let baskets = try Int.fetchOne(db, sql: "SELECT baskets FROM agg_total") ?? 0
        var itemCounts = [Int](repeating: 0, count: items)
        try RowScan.forEach(db, sql: kind.itemCounts) { row in
            let rank = rankOf(row.int64(0))
            if rank >= 0 { itemCounts[Int(rank)] = Int(row.int64(1)) }
        }
        var pairs: [PairCounter.Pair] = []
        try RowScan.forEach(db, sql: kind.pairs, arguments: [Int64(max(minCount, 1))]) { row in
            let a = rankOf(row.int64(0)), b = rankOf(row.int64(1))
            guard a >= 0 && b >= 0 else { return }
            pairs.append(PairCounter.Pair(a: min(a, b), b: max(a, b), count: Int(row.int64(2))))
        }
        pairs.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        return PairCounter.Counts(baskets: baskets, itemCounts: itemCounts, pairs: pairs)
    }
}
