import GRDB

/// The database side of the `transactions` load: inserts a batch's new customers, its orders
/// (updated when the order_id is known, inserted with the next key otherwise) and its lines
/// (inserted for new orders, upserted by order, product and position for known ones), resolving
/// the encoder's provisional references to keys. Runs on the warehouse's thread, inside the
/// file's transaction.
final class OrderLineWriter {
    private let findOrder: BulkStatement
    private let updateOrder: BulkStatement
    private let insertOrder: BulkStatement
    private let insertOrders: BulkStatement
    private static let ordersPerInsert = 64
    private var pendingOrders: [(key: Int64, header: OrderLineBatch.OrderHeader)] = []
    private var nextOrderKey: Int64
    private let upsertLine: BulkStatement
    private let insertLine: BulkStatement
    /// Inserts `rowsPerInsert` lines in one statement: SQLite's cost per statement (cursor, VDBE
    /// setup, mutexes) is most of an insert's, so one statement for many rows is ~2× faster.
    private let insertLines: BulkStatement
    private static let rowsPerInsert = 64
    private static let columns: Int32 = 11
    private var pending: [OrderLineBatch.EncodedLine] = []
    /// Orders with a key above this were created by this load, so none of their lines exist yet
    /// and a plain insert (one b-tree search instead of the upsert's two) is enough.
    private let lastKeyBeforeLoad: Int64
    private var orderIsNew: [Bool] = []
    private let insertCustomer: BulkStatement
    private var newCustomerKeys: [Int64] = []
    private var orderKeys: [Int64] = []
    private(set) var rowsLoaded = 0

    init(_ db: Database) throws {
        // Keys of new orders are given here rather than by SQLite, so they can be inserted many to a
        // statement; an upsert with RETURNING costs ~5 µs an order, most of a night's load.
        findOrder = try BulkStatement(db, sql: "SELECT order_key FROM sales_order WHERE order_id = ?")
        updateOrder = try BulkStatement(db, sql: """
            UPDATE sales_order SET customer_key = ?, ordered_at = ?, store_id = ?, channel = ? WHERE order_key = ?
            """)
        let orderInsert = "INSERT INTO sales_order (order_key, order_id, customer_key, ordered_at, store_id, channel) VALUES "
        let orderRow = "(?, ?, ?, ?, ?, ?)"
        insertOrder = try BulkStatement(db, sql: orderInsert + orderRow)
        insertOrders = try BulkStatement(db, sql: orderInsert + Array(repeating: orderRow, count: Self.ordersPerInsert).joined(separator: ","))
        upsertLine = try BulkStatement(db, sql: """
            INSERT INTO order_line (order_key, product_key, line_no, customer_key, ordered_at, quantity, unit_price_minor,
                discount_minor, amount_minor, bonus_earned_minor, bonus_spent_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (order_key, product_key, line_no) DO UPDATE SET customer_key = excluded.customer_key,
                ordered_at = excluded.ordered_at, quantity = excluded.quantity, unit_price_minor = excluded.unit_price_minor,
                discount_minor = excluded.discount_minor, amount_minor = excluded.amount_minor,
                bonus_earned_minor = excluded.bonus_earned_minor, bonus_spent_minor = excluded.bonus_spent_minor
            """)
        let insert = """
            INSERT INTO order_line (order_key, product_key, line_no, customer_key, ordered_at, quantity, unit_price_minor,
                discount_minor, amount_minor, bonus_earned_minor, bonus_spent_minor) VALUES
            """
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        insertLine = try BulkStatement(db, sql: insert + row)
        insertLines = try BulkStatement(db, sql: insert + Array(repeating: row, count: Self.rowsPerInsert).joined(separator: ","))
        pending.reserveCapacity(Self.rowsPerInsert)
        insertCustomer = try BulkStatement(db, sql: "INSERT INTO customer (customer_id) VALUES (?) RETURNING customer_key")
        lastKeyBeforeLoad = try Int64.fetchOne(db, sql: "SELECT MAX(order_key) FROM sales_order") ?? 0
        nextOrderKey = lastKeyBeforeLoad + 1
    }

    func write(_ batch: OrderLineBatch, rejects: RejectSink) throws {
        for customerId in batch.newCustomerIds {
            insertCustomer.bind(1, customerId)
            newCustomerKeys.append(try insertCustomer.executeReturningInt64())
        }
        for order in batch.orders {
            findOrder.bind(1, order.orderId)
            if let existing = try findOrder.queryInt64() {
                updateOrder.bind(1, key(of: order.customer))
                updateOrder.bind(2, order.orderedAt)
                updateOrder.bind(3, order.storeId)
                updateOrder.bind(4, order.channel)
                updateOrder.bind(5, existing)
                try updateOrder.execute()
                orderKeys.append(existing)
                orderIsNew.append(false)
            } else {
                pendingOrders.append((nextOrderKey, order))
                orderKeys.append(nextOrderKey)
                orderIsNew.append(true)
                nextOrderKey += 1
                if pendingOrders.count == Self.ordersPerInsert {
                    for (index, pending) in pendingOrders.enumerated() { bind(pending, to: insertOrders, at: Int32(index) * 6) }
                    try insertOrders.execute()
                    pendingOrders.removeAll(keepingCapacity: true)
                }
            }
        }
        for pending in pendingOrders {
            bind(pending, to: insertOrder, at: 0)
            try insertOrder.execute()
        }
        pendingOrders.removeAll(keepingCapacity: true)
        for line in batch.lines {
            if orderIsNew[Int(line.orderIndex)] {
                pending.append(line)
                if pending.count == Self.rowsPerInsert {
                    for (index, line) in pending.enumerated() { bind(line, to: insertLines, at: Int32(index) * Self.columns) }
                    try insertLines.execute()
                    pending.removeAll(keepingCapacity: true)
                }
            } else {
                bind(line, to: upsertLine, at: 0)
                try upsertLine.execute()
            }
        }
        // A batch's leftovers go one by one, so that every batch is fully written when it returns.
        for line in pending {
            bind(line, to: insertLine, at: 0)
            try insertLine.execute()
        }
        pending.removeAll(keepingCapacity: true)
        rowsLoaded += batch.lines.count
        for reject in batch.rejects {
            try rejects.reject(line: reject.line, raw: reject.raw, reason: reject.reason)
        }
    }

    @inline(__always)
    private func bind(_ order: (key: Int64, header: OrderLineBatch.OrderHeader), to statement: BulkStatement, at offset: Int32) {
        statement.bind(offset + 1, order.key)
        statement.bind(offset + 2, order.header.orderId)
        statement.bind(offset + 3, key(of: order.header.customer))
        statement.bind(offset + 4, order.header.orderedAt)
        statement.bind(offset + 5, order.header.storeId)
        statement.bind(offset + 6, order.header.channel)
    }

    @inline(__always)
    private func bind(_ line: OrderLineBatch.EncodedLine, to statement: BulkStatement, at offset: Int32) {
        statement.bind(offset + 1, orderKeys[Int(line.orderIndex)])
        statement.bind(offset + 2, line.productKey)
        statement.bind(offset + 3, Int64(line.lineNo))
        statement.bind(offset + 4, key(of: line.customer))
        statement.bind(offset + 5, line.orderedAt)
        statement.bind(offset + 6, line.quantity)
        statement.bind(offset + 7, line.unitPrice)
        statement.bind(offset + 8, line.discount)
        statement.bind(offset + 9, line.amount)
        statement.bind(offset + 10, line.bonusEarned == .min ? nil : line.bonusEarned)
        statement.bind(offset + 11, line.bonusSpent == .min ? nil : line.bonusSpent)
    }

    @inline(__always)
    private func key(of customer: CustomerRef) -> Int64? {
        if let index = customer.provisionalIndex { return newCustomerKeys[index] }
        return customer.raw >= 0 ? customer.raw : nil
    }
}
