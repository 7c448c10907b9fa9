import GRDB

/// What each customer bought in the backtest's horizon: the truth the offers made on as_of are
/// scored against. Purchases are lines with a positive quantity of orders placed in the horizon
/// (an order's time is its first line's, as everywhere), by customer and product.
struct HorizonPurchases {
    /// One customer's spend on one product in the horizon.
    struct Bought {
        let product: Int32
        let amountMinor: Int64
        /// The amount less the units' cost (or times `offers.margin_rate` without a cost).
        let marginMinor: Int64
    }

    /// Customer key k's purchases are `bought[starts[k] ..< starts[k + 1]]`, by catalog index.
    private var bought: [Bought] = []
    private var starts: [Int]
    /// Distinct (customer, product) pairs bought.
    var count: Int { bought.count }
    /// Customers with at least one purchase.
    private(set) var customers = 0

    private init(maxCustomerKey: Int) {
        starts = [Int](repeating: 0, count: maxCustomerKey + 2)
    }

    /// The customer's purchases, ascending by catalog index (empty when they bought nothing).
    func of(customerKey key: Int64) -> ArraySlice<Bought> {
        guard key >= 0, Int(key) + 1 < starts.count else { return [] }
        return bought[starts[Int(key)]..<starts[Int(key) + 1]]
    }

    /// - Parameters:
    ///   - from, until: the horizon in UTC seconds, first included, last excluded.
    ///   - marginOf: a product's margin in minor units for `units` units bought for `amountMinor`.
    static func load(_ db: Database, from: Int64, until: Int64, maxCustomerKey: Int, indexOfProduct: (Int64) -> Int32?,
                     marginOf: (_ product: Int32, _ units: Int64, _ amountMinor: Int64) -> Int64) throws -> HorizonPurchases {
        var purchases = HorizonPurchases(maxCustomerKey: maxCustomerKey)
        var rows: [(customer: Int, bought: Bought)] = []
        try RowScan.forEach(db, sql: """
            SELECT o.customer_key, l.product_key, SUM(l.quantity), SUM(l.amount_minor)
            FROM agg_order o JOIN order_line l ON l.order_key = o.order_key
            WHERE o.ordered_at >= ? AND o.ordered_at < ? AND o.customer_key IS NOT NULL AND o.customer_key <= ? AND l.quantity > 0
            GROUP BY o.customer_key, l.product_key
            """, arguments: [from, until, maxCustomerKey]) { row in
            guard let product = indexOfProduct(row.int64(1)) else { return }
            let amount = row.int64(3)
            rows.append((Int(row.int64(0)), Bought(product: product, amountMinor: amount, marginMinor: marginOf(product, row.int64(2), amount))))
        }
        rows.sort { ($0.customer, $0.bought.product) < ($1.customer, $1.bought.product) }
        var customer = -1
        for (key, bought) in rows {
            while customer < key {
                customer += 1
                purchases.starts[customer] = purchases.bought.count
            }
            if purchases.bought.count == purchases.starts[key] { purchases.customers += 1 }
            purchases.bought.append(bought)
        }
        while customer + 1 < purchases.starts.count {
            customer += 1
            purchases.starts[customer] = purchases.bought.count
        }
        return purchases
    }
}
