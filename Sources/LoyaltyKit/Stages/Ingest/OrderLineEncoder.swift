/// The reading side of the `transactions` load: validates each row and turns it into an
/// `EncodedLine`, with no database access, so it can run on its own thread.
///
/// A line is identified by (order_id, product_id, line position within the order): the position is
/// the row's place among the file's rows of that order (or its index in a nested `lines` array),
/// so reloading a delivery rewrites the same rows and changes nothing.
///
/// - Complexity: O(rows); memory O(orders in the file) for the order-id map.
final class OrderLineEncoder {
    private struct OrderState {
        var index: Int32 = -1
        var lines: Int32 = 0
        var customer = CustomerRef.anonymous
        var firstLine = 0
        var nestedObjectLine = 0
    }

    private enum Column {
        static let orderId = 0, customerId = 1, orderedAt = 2, productId = 3, quantity = 4, unitPrice = 5
        static let discount = 6, storeId = 7, channel = 8, bonusEarned = 9, bonusSpent = 10
    }

    private let clock: ZoneClock
    private let products: [String: Int64]
    private var customers: [String: CustomerRef]
    private var orders: [String: OrderState] = [:]
    private var orderCount: Int32 = 0
    private var newCustomerCount = 0
    // Lines of one order are usually adjacent: the order being read stays out of the map until
    // another order starts, which saves most hash lookups in the hottest loop.
    private var currentOrderId: String?
    private var current = OrderState()
    private var lastCustomerId: String?
    private var lastCustomer = CustomerRef.anonymous

    private var batch = OrderLineBatch()
    private let batchSize: Int
    private let emit: (OrderLineBatch) throws -> Void

    init(products: [String: Int64], customers: [String: Int64], clock: ZoneClock, batchSize: Int = 8192,
         emit: @escaping (OrderLineBatch) throws -> Void) {
        self.products = products
        self.customers = customers.mapValues { CustomerRef.key($0) }
        self.clock = clock
        self.batchSize = batchSize
        self.emit = emit
        batch.lines.reserveCapacity(batchSize)
    }

    func encode(_ record: InputRecord) throws {
        if let reason = encodeLine(record) {
            batch.rejects.append((record.line, record.raw, reason))
        }
        if batch.lines.count >= batchSize || batch.rejects.count >= batchSize { try flush() }
    }

    /// A line the reader could not even split into fields (invalid JSON).
    func reject(line: Int, raw: String, reason: String) throws {
        batch.rejects.append((line, raw, reason))
        if batch.rejects.count >= batchSize { try flush() }
    }

    func flush() throws {
        guard !batch.isEmpty else { return }
        try emit(batch)
        batch = OrderLineBatch()
        batch.lines.reserveCapacity(batchSize)
    }

    /// Encodes the line, or returns why it cannot be loaded.
    private func encodeLine(_ record: InputRecord) -> String? {
        guard !record.isEmpty(Column.orderId) else {
            if record.fieldsInRow != record.expectedFields {
                return RejectReason.fieldCount(expected: record.expectedFields, found: record.fieldsInRow)
            }
            return RejectReason.missing("order_id")
        }
        let orderId = String(decoding: record.bytes(Column.orderId), as: UTF8.self)
        if orderId != currentOrderId {
            if let previous = currentOrderId { orders[previous] = current }
            current = orders[orderId] ?? OrderState()
            currentOrderId = orderId
        }
        // The position counts every row of the order, good or bad, so fixing a bad row in a later
        // delivery does not shift the positions of the rows after it.
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
        if record.fieldsInRow != record.expectedFields {
            return RejectReason.fieldCount(expected: record.expectedFields, found: record.fieldsInRow)
        }
        if let column = record.columnHoldingNUL() { return RejectReason.nul(InputEntity.transactions.columns[column]) }

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
        let unitPrice: Int64, discount: Int64, bonusEarned: Int64, bonusSpent: Int64
        switch money(record, Column.unitPrice, "unit_price", empty: 0) {
        case let .success(value): unitPrice = value
        case let .failure(error): return error.reason
        }
        switch money(record, Column.discount, "discount", empty: 0) {
        case let .success(value): discount = value
        case let .failure(error): return error.reason
        }
        switch money(record, Column.bonusEarned, "bonus_earned", empty: .min) {
        case let .success(value): bonusEarned = value
        case let .failure(error): return error.reason
        }
        switch money(record, Column.bonusSpent, "bonus_spent", empty: .min) {
        case let .success(value): bonusSpent = value
        case let .failure(error): return error.reason
        }
        let (gross, overflow1) = quantity.multipliedReportingOverflow(by: unitPrice)
        let (amount, overflow2) = gross.subtractingReportingOverflow(discount)
        guard !overflow1 && !overflow2 else { return "invalid amount: quantity × unit_price − discount is out of range" }

        // A customer seen for the first time is registered only once its line is accepted: a
        // rejected row must leave nothing behind.
        var customer = CustomerRef.anonymous
        var newCustomerId: String?
        var customerId: String?
        if !record.isEmpty(Column.customerId) {
            let id = String(decoding: record.bytes(Column.customerId), as: UTF8.self)
            customerId = id
            if id == lastCustomerId {
                customer = lastCustomer
            } else if let known = customers[id] {
                customer = known
            } else {
                customer = .provisional(newCustomerCount)
                newCustomerId = id
            }
        }
        if current.index >= 0 && current.customer != customer {
            return "inconsistent order: order_id \(orderId) has another customer_id on line \(current.firstLine); an order belongs to one customer"
        }
        if let newCustomerId {
            newCustomerCount += 1
            customers[newCustomerId] = customer
            batch.newCustomerIds.append(newCustomerId)
        }
        if let customerId {
            lastCustomerId = customerId
            lastCustomer = customer
        }
        if current.index < 0 {
            current.index = orderCount
            current.customer = customer
            orderCount += 1
            batch.orders.append(.init(orderId: orderId, customer: customer, orderedAt: orderedAt,
                                      storeId: record.string(Column.storeId), channel: record.string(Column.channel)))
        }
        batch.lines.append(.init(
            orderIndex: current.index, lineNo: position, productKey: productKey, customer: customer, orderedAt: orderedAt,
            quantity: quantity, unitPrice: unitPrice, discount: discount, amount: amount,
            bonusEarned: bonusEarned, bonusSpent: bonusSpent))
        return nil
    }

    @inline(__always)
    private func money(_ record: InputRecord, _ column: Int, _ name: String, empty: Int64) -> Result<Int64, RejectError> {
        if record.isEmpty(column) { return .success(empty) }
        return record.parse(column, name) { bytes throws(FieldError) in try FieldParser.decimal(bytes, scale: 4) }
    }
}
