import Foundation
import GRDB

/// What each customer bought, product by product, in the figures window: read from the
/// aggregation layer's `agg_customer_product` (its meaning is `AggregateDefinitions.customerProducts`).
///
/// Purchases are lines with a positive quantity and a customer. A product's "orders" are the
/// distinct local days the customer bought it (two lines on one day are one purchase occasion).
struct CustomerHistory {
    struct Purchase {
        let customer: Int32
        let product: Int32
        let day: Int32
        let quantity: Int32
        let amountMinor: Int64
    }

    /// One customer's figures for one product.
    struct ProductHistory: Equatable {
        let product: Int32
        let orders: Int
        let units: Int
        let spentMinor: Int64
        let firstDay: Int64
        let lastDay: Int64
        /// Median of the gaps in days between consecutive purchase days (nil with one purchase day).
        let medianGapDays: Double?
        let gaps: Int
        /// Σ over purchase days of 0.5^(age / half-life): recent and repeated purchases weigh most.
        let affinity: Double
    }

    /// One customer's figures for one product as the aggregates keep them.
    struct Bought {
        let product: Int32
        let units: Int
        let spentMinor: Int64
        /// The purchase days are `days[firstDay ..< firstDay + dayCount]`, ascending.
        let firstDay: Int
        let dayCount: Int
    }

    /// Grouped by customer key: customer k's products are `bought[starts[k] ..< starts[k + 1]]`.
    private(set) var bought: [Bought] = []
    private(set) var starts: [Int]
    private var days: [Int32] = []

    private init(maxCustomerKey: Int) {
        starts = [Int](repeating: 0, count: maxCustomerKey + 2)
    }

    /// From single purchases (tests): grouped by customer, product and day.
    init(purchases unsorted: [Purchase], maxCustomerKey: Int) {
        self.init(maxCustomerKey: maxCustomerKey)
        let sorted = unsorted.sorted { ($0.customer, $0.product, $0.day) < ($1.customer, $1.product, $1.day) }
        var index = 0
        while index < sorted.count {
            let customer = sorted[index].customer, product = sorted[index].product
            var units = 0, spent: Int64 = 0
            let first = days.count
            while index < sorted.count && sorted[index].customer == customer && sorted[index].product == product {
                units += Int(sorted[index].quantity)
                spent += sorted[index].amountMinor
                if days.count == first || days[days.count - 1] != sorted[index].day { days.append(sorted[index].day) }
                index += 1
            }
            append(customer: Int(customer), Bought(product: product, units: units, spentMinor: spent, firstDay: first, dayCount: days.count - first))
        }
        close()
    }

    /// Purchases bought so far: the number of (customer, product, day) occasions.
    var purchaseDays: Int { days.count }

    private var lastCustomer = -1

    /// Rows must come in customer key order.
    private mutating func append(customer: Int, _ row: Bought) {
        while lastCustomer < customer {
            lastCustomer += 1
            starts[lastCustomer] = bought.count
        }
        bought.append(row)
    }

    private mutating func close() {
        while lastCustomer + 1 < starts.count {
            lastCustomer += 1
            starts[lastCustomer] = bought.count
        }
    }

    /// The customer's products in catalog order.
    func products(ofCustomerKey key: Int64, asOf: Int64, halfLifeDays: Double) -> [ProductHistory] {
        guard key >= 0, Int(key) + 1 < starts.count, starts[Int(key)] < starts[Int(key) + 1] else { return [] }
        var own = Array(bought[starts[Int(key)]..<starts[Int(key) + 1]])
        own.sort { $0.product < $1.product }
        var result: [ProductHistory] = []
        result.reserveCapacity(own.count)
        for row in own {
            let mine = days[row.firstDay..<(row.firstDay + row.dayCount)]
            let gaps = zip(mine, mine.dropFirst()).map { $1 - $0 }
            let median = gaps.isEmpty ? nil : Quantiles.median(gaps)
            let affinity = mine.reduce(0.0) { $0 + Foundation.pow(0.5, Double(max(0, asOf - Int64($1))) / halfLifeDays) }
            result.append(ProductHistory(product: row.product, orders: row.dayCount, units: row.units, spentMinor: row.spentMinor,
                                         firstDay: Int64(mine.first!), lastDay: Int64(mine.last!), medianGapDays: median, gaps: gaps.count,
                                         affinity: affinity))
        }
        return result
    }

    /// Every customer's products bought in the figures window, from `agg_customer_product`.
    /// - Parameter indexOfProduct: catalog index by product key (products outside it are skipped).
    static func load(_ db: Database, maxCustomerKey: Int, indexOfProduct: (Int64) -> Int32?) throws -> CustomerHistory {
        try load(db, sql: "SELECT customer_key, product_key, units, spent_minor, days FROM agg_customer_product WHERE customer_key <= \(maxCustomerKey) "
                    + "ORDER BY customer_key, product_key",
                 maxCustomerKey: maxCustomerKey, indexOfProduct: indexOfProduct)
    }

    /// One customer's products in any window (for `loyalty explain`, which may look at an as_of
    /// the aggregates do not hold): the same definition, evaluated for that customer alone.
    static func load(_ db: Database, customerKey: Int64, window: FiguresWindow, indexOfProduct: (Int64) -> Int32?) throws -> CustomerHistory {
        let rows = AggregateDefinitions.customerProducts(orders: "SELECT * FROM agg_order", window: window, customersIn: "(\(customerKey))")
        return try load(db, sql: "SELECT customer_key, product_key, units, spent_minor, days FROM (\(rows))", maxCustomerKey: Int(customerKey),
                        indexOfProduct: indexOfProduct)
    }

    /// - Parameter sql: (customer_key, product_key, units, spent_minor, days) in customer key order.
    private static func load(_ db: Database, sql: String, maxCustomerKey: Int, indexOfProduct: (Int64) -> Int32?) throws -> CustomerHistory {
        var history = CustomerHistory(maxCustomerKey: maxCustomerKey)
        try RowScan.forEach(db, sql: sql) { row in
            guard let product = indexOfProduct(row.int64(1)) else { return }
            let first = history.days.count
            row.withBytes(4) { bytes in
                var value: Int32 = 0, negative = false, inNumber = false
                for byte in bytes {
                    if byte == UInt8(ascii: " ") {
                        if inNumber { history.days.append(negative ? -value : value) }
                        value = 0
                        negative = false
                        inNumber = false
                    } else if byte == UInt8(ascii: "-") {
                        negative = true
                    } else {
                        value = value * 10 + Int32(byte &- UInt8(ascii: "0"))
                        inNumber = true
                    }
                }
                if inNumber { history.days.append(negative ? -value : value) }
            }
            history.append(customer: Int(row.int64(0)), Bought(product: product, units: Int(clamping: row.int64(2)), spentMinor: row.int64(3),
                                                                firstDay: first, dayCount: history.days.count - first))
        }
        history.close()
        return history
    }
}
