import GRDB

/// Loads `transactions`: one row per order line into `order_line`, the order itself into
/// `sales_order`, and a bare `customer` row for a customer id not seen before (the contract counts
/// customers known only from their purchases).
///
/// A line is identified by (order_id, product_id, line position within the order): the position is
/// the row's place among the file's rows of that order (or its index in a nested `lines` array),
/// so reloading a delivery rewrites the same rows and changes nothing.
///
/// - Complexity: O(rows); memory O(orders in the file) for the order-id map.
final class OrderLineLoader: EntityLoader {
    private struct OrderState {
        var key: Int64 = 0
        var lines: Int32 = 0
        var customerKey: Int64 = -1
        var firstLine = 0
        var nestedObjectLine = 0
    }

    private let clock: ZoneClock
    private var products: [String: Int64]
    private var customers: [String: Int64]
    private var orders: [String: OrderState] = [:]
    // Lines of one order are usually adjacent: the order being read stays out of the map until
    // another order starts, which saves most hash lookups on the hottest loop.
    private var currentOrderId: String?
    private var current = OrderState()
    private var lastCustomerId: String?
    private var lastCustomerKey: Int64 = -1
    private let upsertOrder: BulkStatement
    private let upsertLine: BulkStatement
    private let insertCustomer: BulkStatement
    private(set) var rowsLoaded = 0
    private(set) var newCustomers = 0

    private enum Column {
        static let orderId = 0, customerId = 1, orderedAt = 2, productId = 3, quantity = 4, unitPrice = 5
        static let discount = 6, storeId = 7, channel = 8, bonusEarned = 9, bonusSpent = 10
    }

    init(_ db: Database, clock: ZoneClock) throws {
        self.clock = clock
        products = try keyMap(db, sql: "SELECT product_id, product_key FROM product")
        customers = try keyMap(db, sql: "SELECT customer_id, customer_key FROM customer")
        upsertOrder = try BulkStatement(db, sql: """
            INSERT INTO sales_order (order_id, customer_key, ordered_at, store_id, channel) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (order_id) DO UPDATE SET customer_key = excluded.customer_key, ordered_at = excluded.ordered_at,
                store_id = excluded.store_id, channel = excluded.channel
            RETURNING order_key
            """)
        upsertLine = try BulkStatement(db, sql: """
            INSERT INTO order_line (order_key, product_key, line_no, customer_key, ordered_at, quantity, unit_price_minor,
                discount_minor, amount_minor, bonus_earned_minor, bonus_spent_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (order_key, product_key, line_no) DO UPDATE SET customer_key = excluded.customer_key,
                ordered_at = excluded.ordered_at, quantity = excluded.quantity, unit_price_minor = excluded.unit_price_minor,
                discount_minor = excluded.discount_minor, amount_minor = excluded.amount_minor,
                bonus_earned_minor = excluded.bonus_earned_minor, bonus_spent_minor = excluded.bonus_spent_minor
            """)
        insertCustomer = try BulkStatement(db, sql: "INSERT INTO customer (customer_id) VALUES (?) RETURNING customer_key")
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = try lineRejectReason(record) {
            try rejects.reject(record, reason)
        }
    }

    func finish(rejects: RejectSink) throws {}

    /// Loads the line, or returns why it cannot be loaded.
    private func lineRejectReason(_ record: InputRecord) throws -> String? {
        if record.fieldsInRow != record.expectedFields {
            return RejectReason.fieldCount(expected: record.expectedFields, found: record.fieldsInRow)
        }
        guard !record.isEmpty(Column.orderId) else { return RejectReason.missing("order_id") }
        let orderId = String(decoding: record.bytes(Column.orderId), as: UTF8.self)

        // The position counts every row of the order, good or bad, so fixing a bad row in a later
        // delivery does not shift the positions of the rows after it.
        if orderId != currentOrderId {
            if let previous = currentOrderId { orders[previous] = current }
            current = orders[orderId] ?? OrderState()
            currentOrderId = orderId
        }
        let position: Int32
        if let nested = record.nestedIndex {
            if nested == 0 {
                if current.nestedObjectLine != 0 || current.lines > 0 {
                    return RejectReason.duplicate("order_id \(orderId)", firstLine: current.firstLine)
                }
                current.nestedObjectLine = record.line
            } else if current.nestedObjectLine != record.line {
                return RejectReason.duplicate("order_id \(orderId)", firstLine: current.firstLine)
            }
            position = Int32(nested + 1)
            current.lines = max(current.lines, position)
        } else {
            current.lines += 1
            position = current.lines
        }
        if current.firstLine == 0 { current.firstLine = record.line }

        if record.isEmpty(Column.orderedAt) { return RejectReason.missing("ordered_at") }
        if record.isEmpty(Column.productId) { return RejectReason.missing("product_id") }
        if record.isEmpty(Column.quantity) { return RejectReason.missing("quantity") }
        if record.isEmpty(Column.unitPrice) { return RejectReason.missing("unit_price") }
        let orderedAt: Int64
        switch record.parse(Column.orderedAt, "ordered_at", FieldParser.timestamp) {
        case let .success(timestamp): orderedAt = clock.utcSeconds(timestamp)
        case let .failure(error): return error.reason
        }
        let productId = String(decoding: record.bytes(Column.productId), as: UTF8.self)
        guard let productKey = products[productId] else { return RejectReason.unknown("product", productId) }
        let quantity: Int64
        switch record.parse(Column.quantity, "quantity", FieldParser.wholeNumber) {
        case let .success(value): quantity = value
        case let .failure(error): return error.reason
        }
        guard quantity != 0 else { return "invalid quantity: '0' (a line sells or returns at least one unit)" }
        let unitPrice: Int64, discount: Int64
        switch money(record, Column.unitPrice, "unit_price") {
        case let .success(value): unitPrice = value
        case let .failure(error): return error.reason
        }
        switch money(record, Column.discount, "discount") {
        case let .success(value): discount = value
        case let .failure(error): return error.reason
        }
        var bonusEarned: Int64?, bonusSpent: Int64?
        if !record.isEmpty(Column.bonusEarned) {
            switch money(record, Column.bonusEarned, "bonus_earned") {
            case let .success(value): bonusEarned = value
            case let .failure(error): return error.reason
            }
        }
        if !record.isEmpty(Column.bonusSpent) {
            switch money(record, Column.bonusSpent, "bonus_spent") {
            case let .success(value): bonusSpent = value
            case let .failure(error): return error.reason
            }
        }
        let (gross, overflow1) = quantity.multipliedReportingOverflow(by: unitPrice)
        let (amount, overflow2) = gross.subtractingReportingOverflow(discount)
        guard !overflow1 && !overflow2 else { return "invalid amount: quantity × unit_price − discount is out of range" }

        var customerKey: Int64 = -1
        if !record.isEmpty(Column.customerId) {
            let customerId = String(decoding: record.bytes(Column.customerId), as: UTF8.self)
            if customerId == lastCustomerId {
                customerKey = lastCustomerKey
            } else if let known = customers[customerId] {
                customerKey = known
            } else {
                insertCustomer.bind(1, customerId)
                customerKey = try insertCustomer.executeReturningInt64()
                customers[customerId] = customerKey
                newCustomers += 1
            }
            lastCustomerId = customerId
            lastCustomerKey = customerKey
        }
        if current.key == 0 {
            upsertOrder.bind(1, orderId)
            upsertOrder.bind(2, customerKey >= 0 ? customerKey : nil)
            upsertOrder.bind(3, orderedAt)
            upsertOrder.bind(4, bytes: record.bytes(Column.storeId))
            upsertOrder.bind(5, bytes: record.bytes(Column.channel))
            current.key = try upsertOrder.executeReturningInt64()
            current.customerKey = customerKey
        } else if current.customerKey != customerKey {
            return "inconsistent order: order_id \(orderId) has another customer_id on line \(current.firstLine); an order belongs to one customer"
        }

        upsertLine.bind(1, current.key)
        upsertLine.bind(2, productKey)
        upsertLine.bind(3, Int64(position))
        upsertLine.bind(4, customerKey >= 0 ? customerKey : nil)
        upsertLine.bind(5, orderedAt)
        upsertLine.bind(6, quantity)
        upsertLine.bind(7, unitPrice)
        upsertLine.bind(8, discount)
        upsertLine.bind(9, amount)
        upsertLine.bind(10, bonusEarned)
        upsertLine.bind(11, bonusSpent)
        try upsertLine.execute()
        rowsLoaded += 1
        return nil
    }
}

extension OrderLineLoader {
    /// An optional money field: empty is zero.
    @inline(__always)
    private func money(_ record: InputRecord, _ column: Int, _ name: String) -> Result<Int64, RejectError> {
        if record.isEmpty(column) { return .success(0) }
        return record.parse(column, name) { bytes throws(FieldError) in try FieldParser.decimal(bytes, scale: 4) }
    }
}

/// External id → integer key for a dimension table, to resolve references in memory.
func keyMap(_ db: Database, sql: String) throws -> [String: Int64] {
    var map: [String: Int64] = [:]
    let rows = try Row.fetchCursor(db, sql: sql)
    while let row = try rows.next() {
        map[row[0]] = row[1]
    }
    return map
}
