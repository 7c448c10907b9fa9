import GRDB

/// The rebuild's fast path: one pass over `order_line` in key order computes every aggregate,
/// rows are inserted in key order, and `agg_order`'s indexes are built after its rows. It must
/// equal the reference definitions: the maintenance tests compare it with them night by night,
/// and `loyalty verify` does on any warehouse.
///
/// Two threads: this one (the warehouse's) reads the lines, writes `agg_order` and inserts every
/// other row; a worker (`RebuildSums`) works out the window's sums from the orders handed to it
/// and turns them into rows. Reading and inserting are about half of a rebuild, the sums the
/// other half (10M lines: 49 s on one thread).
struct AggregateRebuild {
    let window: FiguresWindow
    let clock: ZoneClock
    /// Each product key's own category key (−1: none).
    let categoryOf: [Int64]

    private struct OrderRow {
        let order: Int64, customer: Int64?, at: Int64, day: Int64, hour: Int64
        let netMinor: Int64, units: Int64, basketProducts: Int64, bonusEarnedMinor: Int64, bonusSpentMinor: Int64
    }

    func run(_ db: Database) throws {
        for table in AggregateDefinitions.tables { try db.execute(sql: "DELETE FROM \(table.name)") }
        try db.execute(sql: "DROP INDEX IF EXISTS agg_order_by_customer; DROP INDEX IF EXISTS agg_order_by_time")
        let maxProduct = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? 0
        let maxCustomer = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? 0

        let sums = RebuildSums(categoryOf: categoryOf, maxProduct: maxProduct)
        let orders = BatchChannel<RebuildSums.OrderBatch>(capacity: 4)
        let rows = BatchChannel<RebuildSums.Rows>(capacity: 4)
        let worker = WorkerThread(name: "rebuild-sums") {
            do {
                while let batch = try orders.receive() { sums.add(batch) }
                try sums.produceRows(maxCustomer: maxCustomer) { try rows.send($0) }
                rows.finish()
            } catch {
                orders.cancel()
                rows.finish(throwing: error)
            }
        }
        do {
            try scanOrders(db, into: orders)
            try db.execute(sql: """
                CREATE INDEX agg_order_by_customer ON agg_order(customer_key);
                CREATE INDEX agg_order_by_time ON agg_order(ordered_at);
                """)
            try insert(db, rows)
        } catch {
            orders.finish(throwing: error)
            rows.cancel()
            worker.join()
            throw error
        }
        try worker.result()
        try insertWindowSums(db, sums)
    }

    /// Reads every line in order key order, writes each order's `agg_order` row and hands the
    /// window's orders to the worker.
    private func scanOrders(_ db: Database, into channel: BatchChannel<RebuildSums.OrderBatch>) throws {
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
        var basket = OrderBasket()
        var order: Int64 = -1
        var batch = RebuildSums.OrderBatch()
        func closeOrder() throws {
            guard !lines.isEmpty else { return }
            var at = Int64.max, customer: Int64?
            for line in lines {
                at = min(at, line.at)
                if let own = line.customer { customer = min(customer ?? own, own) }
            }
            let local = clock.localSeconds(utcSeconds: at)
            let day = ZoneClock.day(ofLocalSeconds: local)
            let hour = (local - day * 86_400) / 3600
            var net: Int64 = 0, units: Int64 = 0, earned: Int64 = 0, spent: Int64 = 0
            basket.clear()
            for line in lines {
                net += line.amount
                units += line.quantity
                earned += line.earned
                spent += line.spent
                if line.quantity > 0 { basket.add(bought: line.product) }
            }
            basket.close(categoryOf: categoryOf)
            try insertOrder.add(OrderRow(order: order, customer: customer, at: at, day: day, hour: hour, netMinor: net,
                                         units: units, basketProducts: Int64(basket.products.count), bonusEarnedMinor: earned,
                                         bonusSpentMinor: spent))
            guard window.contains(at) else { return }
            let lineStart = batch.lines.count, boughtStart = batch.bought.count, categoryStart = batch.categories.count
            for line in lines { batch.lines.append(RebuildSums.Line(product: line.product, quantity: line.quantity, amountMinor: line.amount)) }
            batch.bought.append(contentsOf: basket.products)
            batch.categories.append(contentsOf: basket.categories)
            batch.orders.append(RebuildSums.Order(
                customer: customer, day: day, hour: hour, at: at, netMinor: net, bonusEarnedMinor: earned, bonusSpentMinor: spent,
                lineStart: lineStart, lineEnd: batch.lines.count, boughtStart: boughtStart, boughtEnd: batch.bought.count,
                categoryStart: categoryStart, categoryEnd: batch.categories.count))
            if batch.orders.count >= 8192 {
                try channel.send(batch)
                batch = RebuildSums.OrderBatch()
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
        if !batch.orders.isEmpty { try channel.send(batch) }
        channel.finish()
    }

    /// Inserts the worker's rows as they come.
    private func insert(_ db: Database, _ channel: BatchChannel<RebuildSums.Rows>) throws {
        let insertCustomer = try BatchInsert<[Int64?]>(
            db, insert: "INSERT INTO agg_customer (\(AggregateDefinitions.customerColumns.joined(separator: ", ")))",
            columns: AggregateDefinitions.customerColumns.count
        ) { row, statement, offset in
            for (index, value) in row.enumerated() { statement.bind(offset + Int32(index) + 1, value) }
        }
        let insertMonth = try BatchInsert<(Int64, Int64, Int64)>(
            db, insert: "INSERT INTO agg_customer_month (customer_key, month, paid_orders)", columns: 3, bind: Self.bindTriple)
        let insertHour = try BatchInsert<(Int64, Int64, Int64)>(
            db, insert: "INSERT INTO agg_customer_hour (customer_key, weekday_hour, paid_orders)", columns: 3, bind: Self.bindTriple)
        let insertCustomerProduct = try BulkStatement(db, sql: """
            INSERT INTO agg_customer_product (\(AggregateDefinitions.customerProductColumns.joined(separator: ", "))) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var insertCounts: [String: BatchInsert<(Int64, Int)>] = [:]
        while let batch = try channel.receive() {
            switch batch {
            case let .customers(customers, months, hours):
                for row in customers { try insertCustomer.add(row) }
                for row in months { try insertMonth.add(row) }
                for row in hours { try insertHour.add(row) }
            case let .customerProducts(rows, text, textEnds):
                try text.withUnsafeBufferPointer { text in
                    for (index, row) in rows.enumerated() {
                        insertCustomerProduct.bind(1, row.customer)
                        insertCustomerProduct.bind(2, row.product)
                        insertCustomerProduct.bind(3, row.purchaseDays)
                        insertCustomerProduct.bind(4, row.units)
                        insertCustomerProduct.bind(5, row.spentMinor)
                        insertCustomerProduct.bind(6, row.firstDay)
                        insertCustomerProduct.bind(7, row.lastDay)
                        let start = index == 0 ? 0 : textEnds[index - 1]
                        insertCustomerProduct.bind(8, bytes: UnsafeBufferPointer(rebasing: text[start..<textEnds[index]]))
                        try insertCustomerProduct.execute()
                    }
                }
            case let .counts(table, columns, counts):
                let insert = try insertCounts[table] ?? BatchInsert<(Int64, Int)>(db, insert: "INSERT INTO \(table) (\(columns))", columns: 3) {
                    row, statement, offset in
                    statement.bind(offset + 1, row.0 >> 32)
                    statement.bind(offset + 2, row.0 & 0xFFFF_FFFF)
                    statement.bind(offset + 3, Int64(row.1))
                }
                insertCounts[table] = insert
                for row in counts { try insert.add(row) }
            }
        }
        try insertCustomer.flush()
        try insertMonth.flush()
        try insertHour.flush()
        for insert in insertCounts.values { try insert.flush() }
    }

    /// The tables that grow with products and categories, and the window's total.
    private func insertWindowSums(_ db: Database, _ sums: RebuildSums) throws {
        let insertProduct = try BatchInsert<(Int, RebuildSums.ProductSums)>(
            db, insert: "INSERT INTO agg_product (\(AggregateDefinitions.productColumns.joined(separator: ", ")))", columns: 8
        ) { row, statement, offset in
            statement.bind(offset + 1, Int64(row.0))
            statement.bind(offset + 2, Int64(row.1.lines))
            statement.bind(offset + 3, row.1.units)
            statement.bind(offset + 4, row.1.revenueMinor)
            statement.bind(offset + 5, Int64(row.1.orders))
            statement.bind(offset + 6, Int64(row.1.buyers))
            statement.bind(offset + 7, Int64(row.1.repeatBuyers))
            statement.bind(offset + 8, row.1.basketAmountMinor)
        }
        for (product, productSums) in sums.products.enumerated() where productSums.lines > 0 { try insertProduct.add((product, productSums)) }
        try insertProduct.flush()
        for (table, months) in [("agg_product_month (product_key", sums.months), ("agg_category_month (category_key", sums.categoryMonths)] {
            let withOrders = table.hasPrefix("agg_category")
            let insert = try BatchInsert<(Int64, AggregateDeltas.MonthChange)>(
                db, insert: "INSERT INTO \(table), month, lines, units, revenue_minor\(withOrders ? ", paid_orders" : ""))", columns: withOrders ? 6 : 5
            ) { row, statement, offset in
                statement.bind(offset + 1, row.0 >> 20)
                statement.bind(offset + 2, row.0 & 0xF_FFFF)
                statement.bind(offset + 3, Int64(row.1.lines))
                statement.bind(offset + 4, row.1.units)
                statement.bind(offset + 5, row.1.revenueMinor)
                if withOrders { statement.bind(offset + 6, Int64(row.1.paidOrders)) }
            }
            for key in months.keys.sorted() { try insert.add((key, months[key]!)) }
            try insert.flush()
        }
        let insertBasket = try BatchInsert<(Int64, Int)>(db, insert: "INSERT INTO agg_category_basket (category_key, baskets)", columns: 2) {
            row, statement, offset in
            statement.bind(offset + 1, row.0)
            statement.bind(offset + 2, Int64(row.1))
        }
        for key in sums.categoryBaskets.keys.sorted() { try insertBasket.add((key, sums.categoryBaskets[key]!)) }
        try insertBasket.flush()
        let total = sums.total
        try db.execute(sql: """
            INSERT INTO agg_total (id, orders, paid_orders, baskets, revenue_minor, bonus_earned_minor, bonus_spent_minor)
            VALUES (1, ?, ?, ?, ?, ?, ?)
            """, arguments: [total.orders, total.paidOrders, total.baskets, total.revenueMinor, total.bonusEarnedMinor, total.bonusSpentMinor])
    }

    private static func bindTriple(_ row: (Int64, Int64, Int64), _ statement: BulkStatement, _ offset: Int32) {
        statement.bind(offset + 1, row.0)
        statement.bind(offset + 2, row.1)
        statement.bind(offset + 3, row.2)
    }
}
