import GRDB

/// The database side of the `transactions` load: inserts a batch's new customers, its orders
/// (updated when the order_id is known, inserted with the next key otherwise) and its lines
/// (inserted for new orders, upserted by order, product and position for known ones), resolving
/// the encoder's provisional references to keys. Runs on the warehouse's thread, inside the
/// file's transaction.
final class OrderLineWriter {
    /// An order or line row with every reference resolved to a key.
    private struct OrderRow {
        let key: Int64
        let header: OrderLineBatch.OrderHeader
        let customerKey: Int64?
    }

    private struct LineRow {
        let orderKey: Int64
        let customerKey: Int64?
        let line: OrderLineBatch.EncodedLine
    }

    private let findOrder: BulkStatement
    private let updateOrder: BulkStatement
    private let insertOrders: BatchInsert<OrderRow>
    private let insertLines: BatchInsert<LineRow>
    private let upsertLine: BulkStatement
    private let insertCustomer: BulkStatement
    /// The aggregation layer's trail: an order already aggregated that this load changes is marked
    /// pending, with its lines as they were, the first time a load touches it.
    private let markPending: BulkStatement
    private let keepReplacedLines: BulkStatement
    private let alignLineCustomers: BulkStatement
    private let aggregatedBelow: Int64
    private var newCustomerKeys: [Int64] = []
    private var orderKeys: [Int64] = []
    /// Orders with a key above this were created by this load, so none of their lines exist yet
    /// and a plain insert (one b-tree search instead of the upsert's two) is enough.
    private let lastKeyBeforeLoad: Int64
    private var nextOrderKey: Int64
    private var orderIsNew: [Bool] = []
    private(set) var rowsLoaded = 0

    private static let lineColumns = """
        order_line (order_key, product_key, line_no, customer_key, ordered_at, quantity, unit_price_minor,
            discount_minor, amount_minor, bonus_earned_minor, bonus_spent_minor)
        """

    init(_ db: Database) throws {
        // Keys of new orders are given here rather than by SQLite, so they can be inserted many to a
        // statement; an upsert with RETURNING costs ~5 µs an order, most of a night's load.
        findOrder = try BulkStatement(db, sql: "SELECT order_key FROM sales_order WHERE order_id = ?")
        updateOrder = try BulkStatement(db, sql: """
            UPDATE sales_order SET customer_key = ?, ordered_at = ?, store_id = ?, channel = ? WHERE order_key = ?
            """)
        insertOrders = try BatchInsert(
            db, insert: "INSERT INTO sales_order (order_key, order_id, customer_key, ordered_at, store_id, channel)", columns: 6
        ) { order, statement, offset in
            statement.bind(offset + 1, order.key)
            statement.bind(offset + 2, order.header.orderId)
            statement.bind(offset + 3, order.customerKey)
            statement.bind(offset + 4, order.header.orderedAt)
            statement.bind(offset + 5, order.header.storeId)
            statement.bind(offset + 6, order.header.channel)
        }
        insertLines = try BatchInsert(db, insert: "INSERT INTO " + Self.lineColumns, columns: 11, bind: Self.bind)
        upsertLine = try BulkStatement(db, sql: """
            INSERT INTO \(Self.lineColumns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (order_key, product_key, line_no) DO UPDATE SET customer_key = excluded.customer_key,
                ordered_at = excluded.ordered_at, quantity = excluded.quantity, unit_price_minor = excluded.unit_price_minor,
                discount_minor = excluded.discount_minor, amount_minor = excluded.amount_minor,
                bonus_earned_minor = excluded.bonus_earned_minor, bonus_spent_minor = excluded.bonus_spent_minor
            """)
        insertCustomer = try BulkStatement(db, sql: "INSERT INTO customer (customer_id) VALUES (?) RETURNING customer_key")
        markPending = try BulkStatement(db, sql: "INSERT OR IGNORE INTO aggregate_pending_order (order_key) VALUES (?)")
        keepReplacedLines = try BulkStatement(db, sql: """
            INSERT INTO aggregate_replaced_line (order_key, product_key, line_no, customer_key, ordered_at, quantity, amount_minor,
                bonus_earned_minor, bonus_spent_minor)
            SELECT order_key, product_key, line_no, customer_key, ordered_at, quantity, amount_minor, bonus_earned_minor, bonus_spent_minor
            FROM order_line WHERE order_key = ?
            """)
        // An order belongs to one customer: lines the delivery did not repeat follow the order.
        alignLineCustomers = try BulkStatement(db, sql: "UPDATE order_line SET customer_key = ? WHERE order_key = ? AND customer_key IS NOT ?")
        aggregatedBelow = try Int64.fetchOne(db, sql: "SELECT new_orders_from FROM aggregate_state WHERE id = 1") ?? 0
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
                if existing < aggregatedBelow {
                    markPending.bind(1, existing)
                    try markPending.execute()
                    if markPending.changes > 0 {
                        keepReplacedLines.bind(1, existing)
                        try keepReplacedLines.execute()
                    }
                }
                alignLineCustomers.bind(1, key(of: order.customer))
                alignLineCustomers.bind(2, existing)
                alignLineCustomers.bind(3, key(of: order.customer))
                try alignLineCustomers.execute()
                updateOrder.bind(1, key(of: order.customer))
                updateOrder.bind(2, order.orderedAt)
                updateOrder.bind(3, order.storeId)
                updateOrder.bind(4, order.channel)
                updateOrder.bind(5, existing)
                try updateOrder.execute()
                orderKeys.append(existing)
                orderIsNew.append(false)
            } else {
                try insertOrders.add(OrderRow(key: nextOrderKey, header: order, customerKey: key(of: order.customer)))
                orderKeys.append(nextOrderKey)
                orderIsNew.append(true)
                nextOrderKey += 1
            }
        }
        try insertOrders.flush()
        for line in batch.lines {
            let row = LineRow(orderKey: orderKeys[Int(line.orderIndex)], customerKey: key(of: line.customer), line: line)
            if orderIsNew[Int(line.orderIndex)] {
                try insertLines.add(row)
            } else {
                Self.bind(row, upsertLine, 0)
                try upsertLine.execute()
            }
        }
        // Every batch is fully written when it returns.
        try insertLines.flush()
        rowsLoaded += batch.lines.count
        for reject in batch.rejects {
            try rejects.reject(line: reject.line, raw: reject.raw, reason: reject.reason)
        }
    }

    private static func bind(_ row: LineRow, _ statement: BulkStatement, _ offset: Int32) {
        let line = row.line
        statement.bind(offset + 1, row.orderKey)
        statement.bind(offset + 2, line.productKey)
        statement.bind(offset + 3, Int64(line.lineNo))
        statement.bind(offset + 4, row.customerKey)
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
