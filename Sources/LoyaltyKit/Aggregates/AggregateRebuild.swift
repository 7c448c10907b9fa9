import GRDB

/// The rebuild's fast path: one pass over `order_line` in key order computes every aggregate in
/// Swift, rows are inserted in key order, and `agg_order`'s indexes are built after its rows.
/// It must equal the reference definitions: the maintenance tests compare it with them night by
/// night, and `loyalty verify` does on any warehouse.
struct AggregateRebuild {
    let window: FiguresWindow
    let clock: ZoneClock
    /// Each product key's own category key (−1: none).
    let categoryOf: [Int64]

    /// A bought line of a customer's order in the window.
    private struct Purchase {
        let customer: Int32
        let product: Int32
        let day: Int32
        let quantity: Int64
        let amountMinor: Int64
    }

    /// A customer's order in the window.
    private struct CustomerOrder {
        let customer: Int32
        let day: Int32
        let hour: Int8
        let at: Int64
        let netMinor: Int64
    }

    private struct OrderRow {
        let order: Int64, customer: Int64?, at: Int64, day: Int64, hour: Int64
        let netMinor: Int64, units: Int64, basketProducts: Int64, bonusEarnedMinor: Int64, bonusSpentMinor: Int64
    }

    private struct ProductSums {
        var lines = 0, units: Int64 = 0, revenueMinor: Int64 = 0, orders = 0, buyers = 0, repeatBuyers = 0, basketAmountMinor: Int64 = 0
    }

    // The per-order basket and category-month sums repeat AggregateDeltas.add(order:) inline, on
    // local arrays: through the shared OrderBasket and addLine the 1M-line rebuild took 6.5 s
    // against 5.2 s (medians of 4, in turns). The maintenance tests hold the two equal.
    func run(_ db: Database) throws {
        for table in AggregateDefinitions.tables { try db.execute(sql: "DELETE FROM \(table.name)") }
        try db.execute(sql: "DROP INDEX IF EXISTS agg_order_by_customer; DROP INDEX IF EXISTS agg_order_by_time")
        let maxProduct = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? 0
        let maxCustomer = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? 0

        var products = [ProductSums](repeating: ProductSums(), count: maxProduct + 1)
        var months: [Int64: AggregateDeltas.MonthChange] = [:]
        var categoryMonths: [Int64: AggregateDeltas.MonthChange] = [:]
        var categories: [Int64] = []
        var total = AggregateDeltas.TotalChange()
        var pairCodes: [Int64] = []
        var categoryPairCodes: [Int64] = []
        var categoryBaskets: [Int64: Int] = [:]
        var boughtCategories: [Int64] = []
        var purchases: [Purchase] = []
        var customerOrders: [CustomerOrder] = []

        let insertOrder = try BatchInsert<OrderRow>(
            db, insert: "INSERT INTO agg_order (\(AggregateDefinitions.orderColumns.joined(separator: ", ")))", columns: 10
        ) { row, statement, offset in
            statement.bind(offset + 1, row.order)
            statement.bind(offset + 2, row.customer)
            statement.bind(offset + 3, row.at)
            statement.bind(offset + 4, row.day)
            statement.bind(offset + 5, row.hour)
            statement.bind(offset + 6, row.netMinor)
            statement.bind(offset + 7, row.units)
            statement.bind(offset + 8, row.basketProducts)
            statement.bind(offset + 9, row.bonusEarnedMinor)
            statement.bind(offset + 10, row.bonusSpentMinor)
        }
        typealias Line = (product: Int64, customer: Int64?, at: Int64, quantity: Int64, amount: Int64, earned: Int64, spent: Int64)
        var lines: [Line] = []
        var bought: [Int64] = []
        var order: Int64 = -1
        func closeOrder() throws {
            guard !lines.isEmpty else { return }
            var at = Int64.max, customer: Int64?
            for line in lines {
                at = min(at, line.at)
                if let own = line.customer { customer = min(customer ?? own, own) }
            }
            let local = clock.localSeconds(utcSeconds: at)
            let day = ZoneClock.day(ofLocalSeconds: local)
            var net: Int64 = 0, units: Int64 = 0, earned: Int64 = 0, spent: Int64 = 0
            bought.removeAll(keepingCapacity: true)
            for line in lines {
                net += line.amount
                units += line.quantity
                earned += line.earned
                spent += line.spent
                if line.quantity > 0 { bought.append(line.product) }
            }
            bought.sort()
            var distinct = 0
            for index in bought.indices where index == 0 || bought[index] != bought[index - 1] {
                bought[distinct] = bought[index]
                distinct += 1
            }
            try insertOrder.add(OrderRow(order: order, customer: customer, at: at, day: day, hour: (local - day * 86_400) / 3600, netMinor: net,
                                         units: units, basketProducts: Int64(distinct), bonusEarnedMinor: earned, bonusSpentMinor: spent))
            guard window.contains(at) else { return }
            total.orders += 1
            if net > 0 { total.paidOrders += 1 }
            if distinct > 0 { total.baskets += 1 }
            total.revenueMinor += net
            total.bonusEarnedMinor += earned
            total.bonusSpentMinor += spent
            let month = Int64(CivilDate.month(ofDay: day))
            categories.removeAll(keepingCapacity: true)
            for line in lines {
                let category = Int(line.product) < categoryOf.count ? categoryOf[Int(line.product)] : -1
                if category >= 0 {
                    let key = category << 20 | month
                    categoryMonths[key, default: AggregateDeltas.MonthChange()].lines += 1
                    categoryMonths[key]!.units += line.quantity
                    categoryMonths[key]!.revenueMinor += line.amount
                    if net > 0 && !categories.contains(category) {
                        categories.append(category)
                        categoryMonths[key]!.paidOrders += 1
                    }
                }
                let p = Int(line.product)
                products[p].lines += 1
                products[p].units += line.quantity
                products[p].revenueMinor += line.amount
                let key = line.product << 20 | month
                months[key, default: AggregateDeltas.MonthChange()].lines += 1
                months[key]!.units += line.quantity
                months[key]!.revenueMinor += line.amount
                if let customer, line.quantity > 0 {
                    purchases.append(Purchase(customer: Int32(customer), product: Int32(line.product), day: Int32(day),
                                              quantity: line.quantity, amountMinor: line.amount))
                }
            }
            boughtCategories.removeAll(keepingCapacity: true)
            for index in 0..<distinct {
                let category = Int(bought[index]) < categoryOf.count ? categoryOf[Int(bought[index])] : -1
                if category >= 0 && !boughtCategories.contains(category) { boughtCategories.append(category) }
            }
            boughtCategories.sort()
            for a in boughtCategories.indices {
                categoryBaskets[boughtCategories[a], default: 0] += 1
                for b in (a + 1)..<boughtCategories.count { categoryPairCodes.append(boughtCategories[a] << 32 | boughtCategories[b]) }
            }
            for a in 0..<distinct {
                products[Int(bought[a])].orders += 1
                products[Int(bought[a])].basketAmountMinor += net
                for b in (a + 1)..<distinct { pairCodes.append(bought[a] << 32 | bought[b]) }
            }
            if let customer {
                customerOrders.append(CustomerOrder(customer: Int32(customer), day: Int32(day), hour: Int8((local - day * 86_400) / 3600), at: at,
                                                    netMinor: net))
            }
        }
        try RowScan.forEach(db, sql: """
            SELECT order_key, product_key, customer_key, ordered_at, quantity, amount_minor, COALESCE(bonus_earned_minor, 0),
                   COALESCE(bonus_spent_minor, 0)
            FROM order_line ORDER BY order_key
            """) { row in
            if row.int64(0) != order {
                try closeOrder()
                lines.removeAll(keepingCapacity: true)
                order = row.int64(0)
            }
            lines.append((row.int64(1), row.optionalInt64(2), row.int64(3), row.int64(4), row.int64(5), row.int64(6), row.int64(7)))
        }
        try closeOrder()
        try insertOrder.flush()
        try db.execute(sql: """
            CREATE INDEX agg_order_by_customer ON agg_order(customer_key);
            CREATE INDEX agg_order_by_time ON agg_order(ordered_at);
            """)

        try insertCustomers(db, customerOrders, maxCustomer: maxCustomer)
        customerOrders = []
        var gaps: [Int64: Int] = [:]
        try insertCustomerProducts(db, purchases, maxCustomer: maxCustomer) { product, days in
            products[product].buyers += 1
            if days.count >= 2 { products[product].repeatBuyers += 1 }
            for index in days.indices.dropFirst() { gaps[Int64(product) << 32 | (days[index] - days[index - 1]), default: 0] += 1 }
        }
        purchases = []

        let insertProduct = try BatchInsert<(Int, ProductSums)>(
            db, insert: "INSERT INTO agg_product (\(AggregateDefinitions.productColumns.joined(separator: ", ")))", columns: 8
        ) { row, statement, offset in
            statement.bind(offset + 8, row.1.basketAmountMinor)
            statement.bind(offset + 1, Int64(row.0))
            statement.bind(offset + 2, Int64(row.1.lines))
            statement.bind(offset + 3, row.1.units)
            statement.bind(offset + 4, row.1.revenueMinor)
            statement.bind(offset + 5, Int64(row.1.orders))
            statement.bind(offset + 6, Int64(row.1.buyers))
            statement.bind(offset + 7, Int64(row.1.repeatBuyers))
        }
        for (product, sums) in products.enumerated() where sums.lines > 0 { try insertProduct.add((product, sums)) }
        try insertProduct.flush()
        let insertMonth = try BatchInsert<(Int64, AggregateDeltas.MonthChange)>(
            db, insert: "INSERT INTO agg_product_month (product_key, month, lines, units, revenue_minor)", columns: 5
        ) { row, statement, offset in
            statement.bind(offset + 1, row.0 >> 20)
            statement.bind(offset + 2, row.0 & 0xF_FFFF)
            statement.bind(offset + 3, Int64(row.1.lines))
            statement.bind(offset + 4, row.1.units)
            statement.bind(offset + 5, row.1.revenueMinor)
        }
        for key in months.keys.sorted() { try insertMonth.add((key, months[key]!)) }
        try insertMonth.flush()
        let insertCategoryMonth = try BatchInsert<(Int64, AggregateDeltas.MonthChange)>(
            db, insert: "INSERT INTO agg_category_month (category_key, month, lines, units, revenue_minor, paid_orders)", columns: 6
        ) { row, statement, offset in
            statement.bind(offset + 1, row.0 >> 20)
            statement.bind(offset + 2, row.0 & 0xF_FFFF)
            statement.bind(offset + 3, Int64(row.1.lines))
            statement.bind(offset + 4, row.1.units)
            statement.bind(offset + 5, row.1.revenueMinor)
            statement.bind(offset + 6, Int64(row.1.paidOrders))
        }
        for key in categoryMonths.keys.sorted() { try insertCategoryMonth.add((key, categoryMonths[key]!)) }
        try insertCategoryMonth.flush()
        try insertCounts(db, table: "agg_product_gap", columns: "product_key, gap_days, gaps", gaps.keys.sorted().map { ($0, gaps[$0]!) })
        try insertCounts(db, table: "agg_product_pair", columns: "product_a_key, product_b_key, orders", Self.runLengths(&pairCodes))
        try insertCounts(db, table: "agg_category_pair", columns: "category_a_key, category_b_key, orders", Self.runLengths(&categoryPairCodes))
        let insertBasket = try BatchInsert<(Int64, Int)>(db, insert: "INSERT INTO agg_category_basket (category_key, baskets)", columns: 2) {
            row, statement, offset in
            statement.bind(offset + 1, row.0)
            statement.bind(offset + 2, Int64(row.1))
        }
        for key in categoryBaskets.keys.sorted() { try insertBasket.add((key, categoryBaskets[key]!)) }
        try insertBasket.flush()
        try db.execute(sql: """
            INSERT INTO agg_total (id, orders, paid_orders, baskets, revenue_minor, bonus_earned_minor, bonus_spent_minor)
            VALUES (1, ?, ?, ?, ?, ?, ?)
            """, arguments: [total.orders, total.paidOrders, total.baskets, total.revenueMinor, total.bonusEarnedMinor, total.bonusSpentMinor])
    }

    /// agg_customer, in customer key order.
    private func insertCustomers(_ db: Database, _ orders: [CustomerOrder], maxCustomer: Int) throws {
        let grouped = KeyGrouping.group([orders], maxKey: max(maxCustomer, Int(orders.map(\.customer).max() ?? 0))) { Int($0.customer) }
        let insert = try BatchInsert<[Int64?]>(
            db, insert: "INSERT INTO agg_customer (\(AggregateDefinitions.customerColumns.joined(separator: ", ")))", columns: 6
        ) { row, statement, offset in
            for (index, value) in row.enumerated() { statement.bind(offset + Int32(index) + 1, value) }
        }
        let insertMonth = try BatchInsert<(Int64, Int64, Int64)>(
            db, insert: "INSERT INTO agg_customer_month (customer_key, month, paid_orders)", columns: 3, bind: Self.bindTriple)
        let insertHour = try BatchInsert<(Int64, Int64, Int64)>(
            db, insert: "INSERT INTO agg_customer_hour (customer_key, weekday_hour, paid_orders)", columns: 3, bind: Self.bindTriple)
        var days: [Int32] = []
        var monthsOf: [Int64] = [], hoursOf: [Int64] = []
        for customer in 0..<(grouped.starts.count - 1) where grouped.starts[customer] < grouped.starts[customer + 1] {
            var purchases: Int64 = 0, net: Int64 = 0
            monthsOf.removeAll(keepingCapacity: true)
            hoursOf.removeAll(keepingCapacity: true)
            var first: Int64?, last: Int64?
            days.removeAll(keepingCapacity: true)
            for order in grouped.items[grouped.starts[customer]..<grouped.starts[customer + 1]] {
                net += order.netMinor
                guard order.netMinor > 0 else { continue }
                purchases += 1
                first = min(first ?? order.at, order.at)
                last = max(last ?? order.at, order.at)
                days.append(order.day)
                monthsOf.append(Int64(CivilDate.month(ofDay: Int64(order.day))))
                hoursOf.append(Int64(CivilDate.weekdayIndex(Int64(order.day)) * 24 + Int(order.hour)))
            }
            for (values, insert) in [(monthsOf, insertMonth), (hoursOf, insertHour)] {
                let sorted = values.sorted()
                var index = 0
                while index < sorted.count {
                    var end = index + 1
                    while end < sorted.count && sorted[end] == sorted[index] { end += 1 }
                    try insert.add((Int64(customer), sorted[index], Int64(end - index)))
                    index = end
                }
            }
            days.sort()
            let activeDays = days.indices.filter { $0 == 0 || days[$0] != days[$0 - 1] }.count
            try insert.add([Int64(customer), purchases, net, first, last, Int64(activeDays)])
        }
        try insert.flush()
        try insertMonth.flush()
        try insertHour.flush()
    }

    /// agg_customer_product, in (customer, product) order; `each` gets every row's product and days.
    private func insertCustomerProducts(_ db: Database, _ purchases: [Purchase], maxCustomer: Int,
                                        each: (Int, [Int64]) -> Void) throws {
        let grouped = KeyGrouping.group([purchases], maxKey: max(maxCustomer, Int(purchases.map(\.customer).max() ?? 0))) { Int($0.customer) }
        let insert = try BulkStatement(db, sql: """
            INSERT INTO agg_customer_product (\(AggregateDefinitions.customerProductColumns.joined(separator: ", "))) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var own: [Purchase] = []
        var days: [Int64] = []
        var text: [UInt8] = []
        for customer in 0..<(grouped.starts.count - 1) where grouped.starts[customer] < grouped.starts[customer + 1] {
            own.removeAll(keepingCapacity: true)
            own.append(contentsOf: grouped.items[grouped.starts[customer]..<grouped.starts[customer + 1]])
            own.sort { ($0.product, $0.day) < ($1.product, $1.day) }
            var index = 0
            while index < own.count {
                let product = own[index].product
                var units: Int64 = 0, spent: Int64 = 0
                days.removeAll(keepingCapacity: true)
                while index < own.count && own[index].product == product {
                    units += own[index].quantity
                    spent += own[index].amountMinor
                    if days.last != Int64(own[index].day) { days.append(Int64(own[index].day)) }
                    index += 1
                }
                insert.bind(1, Int64(customer))
                insert.bind(2, Int64(product))
                insert.bind(3, Int64(days.count))
                insert.bind(4, units)
                insert.bind(5, spent)
                insert.bind(6, days[0])
                insert.bind(7, days[days.count - 1])
                Self.formatDays(days, into: &text)
                try text.withUnsafeBufferPointer { bytes in
                    insert.bind(8, bytes: bytes)
                    try insert.execute()
                }
                each(Int(product), days)
            }
        }
    }

    /// `agg_customer_product.days` as the reference's group_concat writes it: decimal day numbers,
    /// one space apart. Formatted into reused bytes: a String per row was a fifth of a rebuild.
    static func formatDays(_ days: [Int64], into text: inout [UInt8]) {
        text.removeAll(keepingCapacity: true)
        var digits: [UInt8] = []
        for (index, day) in days.enumerated() {
            if index > 0 { text.append(UInt8(ascii: " ")) }
            if day < 0 { text.append(UInt8(ascii: "-")) }
            var rest = day.magnitude
            digits.removeAll(keepingCapacity: true)
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            text.append(contentsOf: digits.reversed())
        }
    }

    private static func bindTriple(_ row: (Int64, Int64, Int64), _ statement: BulkStatement, _ offset: Int32) {
        statement.bind(offset + 1, row.0)
        statement.bind(offset + 2, row.1)
        statement.bind(offset + 3, row.2)
    }

    /// Sorts pair codes and counts each (emptying `codes`).
    static func runLengths(_ codes: inout [Int64]) -> [(Int64, Int)] {
        RadixSort.sort(&codes)
        var counts: [(Int64, Int)] = []
        var start = 0
        while start < codes.count {
            var end = start + 1
            while end < codes.count && codes[end] == codes[start] { end += 1 }
            counts.append((codes[start], end - start))
            start = end
        }
        codes = []
        return counts
    }

    /// A two-part key (high and low 32 bits) and a count, in key order.
    private func insertCounts(_ db: Database, table: String, columns: String, _ rows: [(Int64, Int)]) throws {
        let insert = try BatchInsert<(Int64, Int)>(db, insert: "INSERT INTO \(table) (\(columns))", columns: 3) { row, statement, offset in
            statement.bind(offset + 1, row.0 >> 32)
            statement.bind(offset + 2, row.0 & 0xFFFF_FFFF)
            statement.bind(offset + 3, Int64(row.1))
        }
        for row in rows { try insert.add(row) }
        try insert.flush()
    }
}
