/// The rebuild's figures-window sums, worked out on a thread of their own from the orders the
/// warehouse thread reads, then handed back as rows in key order for it to insert.
///
/// Used by one thread at a time: the rebuild's worker fills it and produces the rows; the
/// warehouse thread reads `products`, `months`, … only after joining that worker.
final class RebuildSums {
    /// A window order as the warehouse thread saw it: its lines are `lines[lineStart ..< lineEnd]`
    /// of the batch, its basket (`OrderBasket`) `bought[boughtStart ..< boughtEnd]` and
    /// `categories[categoryStart ..< categoryEnd]`.
    struct Order {
        let customer: Int64?
        let day: Int64
        let hour: Int64
        let at: Int64
        let netMinor: Int64
        let bonusEarnedMinor: Int64
        let bonusSpentMinor: Int64
        let lineStart: Int, lineEnd: Int
        let boughtStart: Int, boughtEnd: Int
        let categoryStart: Int, categoryEnd: Int
    }

    struct Line {
        let product: Int64
        let quantity: Int64
        let amountMinor: Int64
    }

    /// Orders in key order, flattened so that a batch is three arrays, not an array per order.
    struct OrderBatch {
        var orders: [Order] = []
        var lines: [Line] = []
        var bought: [Int64] = []
        var categories: [Int64] = []
    }

    /// Rows for the warehouse thread to insert, in each table's key order.
    enum Rows {
        /// agg_customer rows (key, orders, net, first and last purchase, active days, repeat spend) with their
        /// agg_customer_month and agg_customer_hour rows.
        case customers([[Int64?]], months: [(Int64, Int64, Int64)], hours: [(Int64, Int64, Int64)])
        /// agg_customer_product rows without their days; the days text of row i is
        /// `text[textEnds[i - 1] ..< textEnds[i]]`.
        case customerProducts([(customer: Int64, product: Int64, purchaseDays: Int64, units: Int64, spentMinor: Int64, firstDay: Int64, lastDay: Int64)],
                              text: [UInt8], textEnds: [Int])
        /// Two-part keys (high and low 32 bits) with counts, for agg_product_gap, agg_product_pair or agg_category_pair.
        case counts(table: String, columns: String, [(Int64, Int)])
    }

    struct ProductSums {
        var lines = 0, units: Int64 = 0, revenueMinor: Int64 = 0, orders = 0, buyers = 0, repeatBuyers = 0, basketAmountMinor: Int64 = 0
    }

    private struct Purchase {
        let customer: Int32
        let product: Int32
        let day: Int32
        let quantity: Int64
        let amountMinor: Int64
    }

    private struct CustomerOrder {
        let customer: Int32
        let day: Int32
        let hour: Int8
        let at: Int64
        let netMinor: Int64
    }

    private let categoryOf: [Int64]
    private let batchRows = 8192

    private(set) var products: [ProductSums]
    private(set) var months: [Int64: AggregateDeltas.MonthChange] = [:]
    private(set) var categoryMonths: [Int64: AggregateDeltas.MonthChange] = [:]
    private(set) var categoryBaskets: [Int64: Int] = [:]
    private(set) var total = AggregateDeltas.TotalChange()
    private var pairCodes: [Int64] = []
    private var categoryPairCodes: [Int64] = []
    private var gaps: [Int64: Int] = [:]
    private var purchases: [Purchase] = []
    private var customerOrders: [CustomerOrder] = []
    private var categories: [Int64] = []

    /// - Parameter categoryOf: each product key's own category key (−1: none).
    init(categoryOf: [Int64], maxProduct: Int) {
        self.categoryOf = categoryOf
        products = [ProductSums](repeating: ProductSums(), count: maxProduct + 1)
    }

    /// Adds a batch of window orders, as `AggregateDeltas.add(order:)` adds one with sign +1.
    func add(_ batch: OrderBatch) {
        for order in batch.orders {
            let net = order.netMinor
            total.orders += 1
            if net > 0 { total.paidOrders += 1 }
            if order.boughtEnd > order.boughtStart { total.baskets += 1 }
            total.revenueMinor += net
            total.bonusEarnedMinor += order.bonusEarnedMinor
            total.bonusSpentMinor += order.bonusSpentMinor
            let month = Int64(CivilDate.month(ofDay: order.day))
            categories.removeAll(keepingCapacity: true)
            for line in batch.lines[order.lineStart..<order.lineEnd] {
                categoryMonths.addLine(category: OrderBasket.category(of: line.product, in: categoryOf), month: month,
                                       quantity: line.quantity, amountMinor: line.amountMinor, paidOrder: net > 0, sign: 1, counted: &categories)
                let p = Int(line.product)
                products[p].lines += 1
                products[p].units += line.quantity
                products[p].revenueMinor += line.amountMinor
                let key = line.product << 20 | month
                months[key, default: AggregateDeltas.MonthChange()].lines += 1
                months[key]!.units += line.quantity
                months[key]!.revenueMinor += line.amountMinor
                if let customer = order.customer, line.quantity > 0 {
                    purchases.append(Purchase(customer: Int32(customer), product: Int32(line.product), day: Int32(order.day),
                                              quantity: line.quantity, amountMinor: line.amountMinor))
                }
            }
            let bought = batch.bought[order.boughtStart..<order.boughtEnd]
            let boughtCategories = batch.categories[order.categoryStart..<order.categoryEnd]
            for a in boughtCategories.indices {
                categoryBaskets[boughtCategories[a], default: 0] += 1
                for b in (a + 1)..<boughtCategories.endIndex { categoryPairCodes.append(boughtCategories[a] << 32 | boughtCategories[b]) }
            }
            for a in bought.indices {
                products[Int(bought[a])].orders += 1
                products[Int(bought[a])].basketAmountMinor += net
                for b in (a + 1)..<bought.endIndex { pairCodes.append(bought[a] << 32 | bought[b]) }
            }
            if let customer = order.customer {
                customerOrders.append(CustomerOrder(customer: Int32(customer), day: Int32(order.day), hour: Int8(order.hour), at: order.at,
                                                    netMinor: net))
            }
        }
    }

    /// Every row that grows with customers or pairs, in batches, once all orders are added;
    /// buyers, repeat buyers and gaps are counted on the way.
    func produceRows(maxCustomer: Int, _ send: (Rows) throws -> Void) throws {
        try produceCustomers(maxCustomer: maxCustomer, send)
        customerOrders = []
        try produceCustomerProducts(maxCustomer: maxCustomer, send)
        purchases = []
        try sendCounts(gaps.keys.sorted().map { ($0, gaps[$0]!) }, table: "agg_product_gap", columns: "product_key, gap_days, gaps", send)
        gaps = [:]
        try sendCounts(Self.runLengths(&pairCodes), table: "agg_product_pair", columns: "product_a_key, product_b_key, orders", send)
        try sendCounts(Self.runLengths(&categoryPairCodes), table: "agg_category_pair", columns: "category_a_key, category_b_key, orders", send)
    }

    private func sendCounts(_ rows: [(Int64, Int)], table: String, columns: String, _ send: (Rows) throws -> Void) throws {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + batchRows * 8)
            try send(.counts(table: table, columns: columns, Array(rows[start..<end])))
            start = end
        }
    }

    private func produceCustomers(maxCustomer: Int, _ send: (Rows) throws -> Void) throws {
        let grouped = KeyGrouping.group([customerOrders], maxKey: max(maxCustomer, Int(customerOrders.map(\.customer).max() ?? 0))) {
            Int($0.customer)
        }
        var rows: [[Int64?]] = [], monthRows: [(Int64, Int64, Int64)] = [], hourRows: [(Int64, Int64, Int64)] = []
        var days: [Int32] = []
        var monthsOf: [Int64] = [], hoursOf: [Int64] = []
        func runs(_ values: [Int64], of customer: Int, into rows: inout [(Int64, Int64, Int64)]) {
            let sorted = values.sorted()
            var index = 0
            while index < sorted.count {
                var end = index + 1
                while end < sorted.count && sorted[end] == sorted[index] { end += 1 }
                rows.append((Int64(customer), sorted[index], Int64(end - index)))
                index = end
            }
        }
        for customer in 0..<(grouped.starts.count - 1) where grouped.starts[customer] < grouped.starts[customer + 1] {
            var purchases: Int64 = 0, net: Int64 = 0
            monthsOf.removeAll(keepingCapacity: true)
            hoursOf.removeAll(keepingCapacity: true)
            var first: Int64?, last: Int64?
            var firstDay = Int32.max, paid: Int64 = 0, paidOnFirstDay: Int64 = 0
            days.removeAll(keepingCapacity: true)
            for order in grouped.items[grouped.starts[customer]..<grouped.starts[customer + 1]] {
                net += order.netMinor
                guard order.netMinor > 0 else { continue }
                purchases += 1
                first = min(first ?? order.at, order.at)
                last = max(last ?? order.at, order.at)
                paid += order.netMinor
                if order.day < firstDay {
                    firstDay = order.day
                    paidOnFirstDay = order.netMinor
                } else if order.day == firstDay {
                    paidOnFirstDay += order.netMinor
                }
                days.append(order.day)
                monthsOf.append(Int64(CivilDate.month(ofDay: Int64(order.day))))
                hoursOf.append(Int64(CivilDate.weekdayIndex(Int64(order.day)) * 24 + Int(order.hour)))
            }
            runs(monthsOf, of: customer, into: &monthRows)
            runs(hoursOf, of: customer, into: &hourRows)
            days.sort()
            let activeDays = days.indices.filter { $0 == 0 || days[$0] != days[$0 - 1] }.count
            rows.append([Int64(customer), purchases, net, first, last, Int64(activeDays), paid - paidOnFirstDay])
            if rows.count >= batchRows {
                try send(.customers(rows, months: monthRows, hours: hourRows))
                (rows, monthRows, hourRows) = ([], [], [])
            }
        }
        if !rows.isEmpty { try send(.customers(rows, months: monthRows, hours: hourRows)) }
    }

    private func produceCustomerProducts(maxCustomer: Int, _ send: (Rows) throws -> Void) throws {
        let grouped = KeyGrouping.group([purchases], maxKey: max(maxCustomer, Int(purchases.map(\.customer).max() ?? 0))) { Int($0.customer) }
        var own: [Purchase] = []
        var days: [Int64] = []
        var rows: [(customer: Int64, product: Int64, purchaseDays: Int64, units: Int64, spentMinor: Int64, firstDay: Int64, lastDay: Int64)] = []
        var text: [UInt8] = [], textEnds: [Int] = []
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
                rows.append((Int64(customer), Int64(product), Int64(days.count), units, spent, days[0], days[days.count - 1]))
                Self.appendDays(days, to: &text)
                textEnds.append(text.count)
                products[Int(product)].buyers += 1
                if days.count >= 2 { products[Int(product)].repeatBuyers += 1 }
                for index in days.indices.dropFirst() { gaps[Int64(product) << 32 | (days[index] - days[index - 1]), default: 0] += 1 }
            }
            if rows.count >= batchRows {
                try send(.customerProducts(rows, text: text, textEnds: textEnds))
                (rows, text, textEnds) = ([], [], [])
            }
        }
        if !rows.isEmpty { try send(.customerProducts(rows, text: text, textEnds: textEnds)) }
    }

    /// `agg_customer_product.days` as the reference's group_concat writes it: decimal day numbers,
    /// one space apart. Appended to shared bytes: a String per row was a fifth of a rebuild.
    static func appendDays(_ days: [Int64], to text: inout [UInt8]) {
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
}
