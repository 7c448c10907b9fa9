import GRDB

/// One order's basket as the aggregates count it: the distinct products bought (a line of
/// positive quantity) and their distinct categories (each product's own), both ascending. The
/// rebuild and the maintenance fill it the same way; buffers are reused from order to order.
struct OrderBasket {
    private(set) var products: [Int64] = []
    private(set) var categories: [Int64] = []

    /// Starts the next order.
    mutating func clear() {
        products.removeAll(keepingCapacity: true)
    }

    /// A product bought in the order (repeats allowed).
    @inline(__always)
    mutating func add(bought product: Int64) {
        products.append(product)
    }

    /// A product's own category key; −1 when it has none (keys past the map have none).
    @inline(__always)
    static func category(of product: Int64, in categoryOf: [Int64]) -> Int64 {
        Int(product) < categoryOf.count ? categoryOf[Int(product)] : -1
    }

    /// Sorts and deduplicates the products, and finds their categories.
    mutating func close(categoryOf: [Int64]) {
        products.sort()
        var distinct = 0
        for index in products.indices where index == 0 || products[index] != products[index - 1] {
            products[distinct] = products[index]
            distinct += 1
        }
        products.removeLast(products.count - distinct)
        categories.removeAll(keepingCapacity: true)
        for product in products {
            let category = OrderBasket.category(of: product, in: categoryOf)
            if category >= 0 && !categories.contains(category) { categories.append(category) }
        }
        categories.sort()
    }
}

extension Dictionary where Key == Int64, Value == AggregateDeltas.MonthChange {
    /// Adds one line to its category's month (category << 20 | month); an order of positive net
    /// amount counts once per category, `counted` holding the order's categories so far.
    mutating func addLine(category: Int64, month: Int64, quantity: Int64, amountMinor: Int64, paidOrder: Bool, sign: Int,
                          counted: inout [Int64]) {
        guard category >= 0 else { return }
        let key = category << 20 | month
        self[key, default: AggregateDeltas.MonthChange()].lines += sign
        self[key]!.units += Int64(sign) * quantity
        self[key]!.revenueMinor += Int64(sign) * amountMinor
        if paidOrder && !counted.contains(category) {
            counted.append(category)
            self[key]!.paidOrders += sign
        }
    }
}

/// Changes to the additive aggregates (products, product months, product pairs, gaps, the
/// window total), summed over orders and customer × product rows that leave (sign −1) or enter
/// (sign +1) them, then applied in one upsert per row. Integer sums: the result does not depend
/// on the order in which changes arrive, so maintained tables equal the reference exactly.
struct AggregateDeltas {
    struct ProductChange {
        var lines = 0, units: Int64 = 0, revenueMinor: Int64 = 0, orders = 0, buyers = 0, repeatBuyers = 0, basketAmountMinor: Int64 = 0
        var isZero: Bool {
            lines == 0 && units == 0 && revenueMinor == 0 && orders == 0 && buyers == 0 && repeatBuyers == 0 && basketAmountMinor == 0
        }
    }

    struct MonthChange {
        var lines = 0, units: Int64 = 0, revenueMinor: Int64 = 0, paidOrders = 0
        var isZero: Bool { lines == 0 && units == 0 && revenueMinor == 0 && paidOrders == 0 }
    }

    struct TotalChange {
        var orders = 0, paidOrders = 0, baskets = 0
        var revenueMinor: Int64 = 0, bonusEarnedMinor: Int64 = 0, bonusSpentMinor: Int64 = 0
    }

    /// One line of an order, as the contribution needs it.
    struct Line {
        let product: Int64
        let quantity: Int64
        let amountMinor: Int64
        let bonusEarnedMinor: Int64
        let bonusSpentMinor: Int64
    }

    var products: [Int64: ProductChange] = [:]
    /// Keyed by product << 20 | month (months since year 0 stay below 2^20 until year 87,000).
    var months: [Int64: MonthChange] = [:]
    /// Keyed by smaller product key << 32 | larger.
    var pairs: [Int64: Int] = [:]
    /// Keyed by product << 32 | gap days.
    var gaps: [Int64: Int] = [:]
    /// Keyed by smaller category key << 32 | larger, and by category key.
    var categoryPairs: [Int64: Int] = [:]
    var categoryBaskets: [Int64: Int] = [:]
    /// Keyed by category << 20 | month.
    var categoryMonths: [Int64: MonthChange] = [:]
    var total = TotalChange()
    /// Each product key's own category key (−1: none).
    let categoryOf: [Int64]
    private var categories: [Int64] = []
    private var basket = OrderBasket()

    init(categoryOf: [Int64]) {
        self.categoryOf = categoryOf
    }

    /// Each product key's category key (−1: none), and a digest of the mapping: category
    /// aggregates are only right for the mapping they were built with.
    static func categoryMap(_ db: Database) throws -> (categoryOf: [Int64], digest: String) {
        var categoryOf: [Int64] = []
        // FNV-1a over the pairs: stable from process to process, unlike Swift's Hasher.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        try RowScan.forEach(db, sql: "SELECT product_key, COALESCE(category_key, -1) FROM product ORDER BY product_key") { row in
            let product = Int(row.int64(0)), category = row.int64(1)
            if categoryOf.count <= product { categoryOf += [Int64](repeating: -1, count: product + 1 - categoryOf.count) }
            categoryOf[product] = category
            for value in [Int64(product), category] {
                for shift in stride(from: 0, to: 64, by: 8) {
                    digest = (digest ^ UInt64(truncatingIfNeeded: value >> Int64(shift)) & 0xFF) &* 0x100_0000_01b3
                }
            }
        }
        return (categoryOf, "\(categoryOf.count):" + String(digest, radix: 16))
    }

    /// Adds (sign +1) or takes out (−1) one order's lines, placed on local `day`.
    mutating func add(order lines: [Line], day: Int64, sign: Int) {
        let month = Int64(CivilDate.month(ofDay: day))
        var net: Int64 = 0
        for line in lines { net += line.amountMinor }
        basket.clear()
        categories.removeAll(keepingCapacity: true)
        let s64 = Int64(sign)
        for line in lines {
            total.bonusEarnedMinor += s64 * line.bonusEarnedMinor
            total.bonusSpentMinor += s64 * line.bonusSpentMinor
            products[line.product, default: ProductChange()].lines += sign
            products[line.product]!.units += s64 * line.quantity
            products[line.product]!.revenueMinor += s64 * line.amountMinor
            let key = line.product << 20 | month
            months[key, default: MonthChange()].lines += sign
            months[key]!.units += s64 * line.quantity
            months[key]!.revenueMinor += s64 * line.amountMinor
            if line.quantity > 0 { basket.add(bought: line.product) }
            categoryMonths.addLine(category: OrderBasket.category(of: line.product, in: categoryOf), month: month,
                                   quantity: line.quantity, amountMinor: line.amountMinor, paidOrder: net > 0, sign: sign, counted: &categories)
        }
        basket.close(categoryOf: categoryOf)
        let distinct = basket.products.count
        for (a, category) in basket.categories.enumerated() {
            categoryBaskets[category, default: 0] += sign
            for other in basket.categories[(a + 1)...] { categoryPairs[category << 32 | other, default: 0] += sign }
        }
        for (a, product) in basket.products.enumerated() {
            products[product]!.orders += sign
            products[product]!.basketAmountMinor += s64 * net
            for other in basket.products[(a + 1)...] { pairs[product << 32 | other, default: 0] += sign }
        }
        total.orders += sign
        if net > 0 { total.paidOrders += sign }
        if distinct > 0 { total.baskets += sign }
        total.revenueMinor += s64 * net
    }

    /// Adds or takes out one customer × product row: a buyer, maybe a repeat buyer, and its gaps.
    mutating func add(customerProduct product: Int64, days: [Int64], sign: Int) {
        products[product, default: ProductChange()].buyers += sign
        if days.count >= 2 { products[product]!.repeatBuyers += sign }
        for index in days.indices.dropFirst() { gaps[product << 32 | (days[index] - days[index - 1]), default: 0] += sign }
    }

    /// Writes the changes and drops rows left with nothing in them.
    func apply(_ db: Database) throws {
        let product = try BulkStatement(db, sql: """
            INSERT INTO agg_product (product_key, lines, units, revenue_minor, orders, buyers, repeat_buyers, basket_amount_minor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (product_key) DO UPDATE SET lines = lines + excluded.lines, units = units + excluded.units,
                revenue_minor = revenue_minor + excluded.revenue_minor, orders = orders + excluded.orders,
                buyers = buyers + excluded.buyers, repeat_buyers = repeat_buyers + excluded.repeat_buyers,
                basket_amount_minor = basket_amount_minor + excluded.basket_amount_minor
            """)
        for (key, change) in products where !change.isZero {
            product.bind(1, key)
            product.bind(2, Int64(change.lines))
            product.bind(3, change.units)
            product.bind(4, change.revenueMinor)
            product.bind(5, Int64(change.orders))
            product.bind(6, Int64(change.buyers))
            product.bind(7, Int64(change.repeatBuyers))
            product.bind(8, change.basketAmountMinor)
            try product.execute()
        }
        let categoryMonth = try BulkStatement(db, sql: """
            INSERT INTO agg_category_month (category_key, month, lines, units, revenue_minor, paid_orders) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (category_key, month) DO UPDATE SET lines = lines + excluded.lines, units = units + excluded.units,
                revenue_minor = revenue_minor + excluded.revenue_minor, paid_orders = paid_orders + excluded.paid_orders
            """)
        for (key, change) in categoryMonths where !change.isZero {
            categoryMonth.bind(1, key >> 20)
            categoryMonth.bind(2, key & 0xF_FFFF)
            categoryMonth.bind(3, Int64(change.lines))
            categoryMonth.bind(4, change.units)
            categoryMonth.bind(5, change.revenueMinor)
            categoryMonth.bind(6, Int64(change.paidOrders))
            try categoryMonth.execute()
        }
        let month = try BulkStatement(db, sql: """
            INSERT INTO agg_product_month (product_key, month, lines, units, revenue_minor) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (product_key, month) DO UPDATE SET lines = lines + excluded.lines, units = units + excluded.units,
                revenue_minor = revenue_minor + excluded.revenue_minor
            """)
        for (key, change) in months where !change.isZero {
            month.bind(1, key >> 20)
            month.bind(2, key & 0xF_FFFF)
            month.bind(3, Int64(change.lines))
            month.bind(4, change.units)
            month.bind(5, change.revenueMinor)
            try month.execute()
        }
        for (table, columns, changes) in [("agg_product_pair", ("product_a_key", "product_b_key", "orders"), pairs),
                                          ("agg_product_gap", ("product_key", "gap_days", "gaps"), gaps),
                                          ("agg_category_pair", ("category_a_key", "category_b_key", "orders"), categoryPairs)] {
            let upsert = try BulkStatement(db, sql: """
                INSERT INTO \(table) (\(columns.0), \(columns.1), \(columns.2)) VALUES (?, ?, ?)
                ON CONFLICT (\(columns.0), \(columns.1)) DO UPDATE SET \(columns.2) = \(columns.2) + excluded.\(columns.2)
                """)
            // Only a row that lost something can be left empty: those are looked up by key, not
            // found by scanning tables of millions of rows.
            let dropEmpty = try BulkStatement(db, sql: "DELETE FROM \(table) WHERE \(columns.0) = ? AND \(columns.1) = ? AND \(columns.2) = 0")
            for (key, change) in changes where change != 0 {
                upsert.bind(1, key >> 32)
                upsert.bind(2, key & 0xFFFF_FFFF)
                upsert.bind(3, Int64(change))
                try upsert.execute()
                guard change < 0 else { continue }
                dropEmpty.bind(1, key >> 32)
                dropEmpty.bind(2, key & 0xFFFF_FFFF)
                try dropEmpty.execute()
            }
        }
        let basket = try BulkStatement(db, sql: """
            INSERT INTO agg_category_basket (category_key, baskets) VALUES (?, ?)
            ON CONFLICT (category_key) DO UPDATE SET baskets = baskets + excluded.baskets
            """)
        for (key, change) in categoryBaskets where change != 0 {
            basket.bind(1, key)
            basket.bind(2, Int64(change))
            try basket.execute()
        }
        try db.execute(sql: """
            DELETE FROM agg_category_basket WHERE baskets = 0;
            DELETE FROM agg_product WHERE lines = 0;
            DELETE FROM agg_product_month WHERE lines = 0;
            DELETE FROM agg_category_month WHERE lines = 0;
            INSERT INTO agg_total (id, orders, paid_orders, baskets, revenue_minor, bonus_earned_minor, bonus_spent_minor)
            VALUES (1, 0, 0, 0, 0, 0, 0) ON CONFLICT (id) DO NOTHING;
            """)
        try db.execute(sql: """
            UPDATE agg_total SET orders = orders + ?, paid_orders = paid_orders + ?, baskets = baskets + ?, revenue_minor = revenue_minor + ?,
                bonus_earned_minor = bonus_earned_minor + ?, bonus_spent_minor = bonus_spent_minor + ?
            """, arguments: [total.orders, total.paidOrders, total.baskets, total.revenueMinor, total.bonusEarnedMinor, total.bonusSpentMinor])
    }

    /// Day numbers of `agg_customer_product.days`.
    static func days(_ text: String) -> [Int64] {
        text.split(separator: " ").compactMap { Int64($0) }
    }
}
