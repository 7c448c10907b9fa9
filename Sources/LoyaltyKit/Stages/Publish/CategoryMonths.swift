/// category_month.csv: each category's sales by calendar month (local time), for seasonality
/// charts; enrich's category_seasonality.csv folds the same sales into 12 calendar months.
enum CategoryMonths {
    struct Cell {
        var revenueMinor: Int64 = 0
        var units: Int64 = 0
        /// Orders of positive net amount holding the category.
        var orders = 0
    }

    /// Adds up orders as `OrderActivity` reads them.
    struct Accumulator {
        /// Category ids in id order; a product's category as an index into them (−1: none).
        let categories: [String]
        private let categoryOfProduct: [Int32]
        private let indexOfProduct: [Int32]
        /// Keyed by category index << 32 | month (year × 12 + month − 1): the index of its cell.
        private var indexOfKey: [Int64: Int] = [:]
        private var cells: [Cell] = []
        /// Each category's last cell: orders come nearly in time order, so most lines hit it
        /// without a hash lookup (three lookups a line took a second at 10M lines).
        private var lastKeyOf: [Int64]
        private var lastCellOf: [Int]
        private var seen: [Int32] = []
        /// All sales by month, uncategorised products included: closed months in the dictionary, the
        /// month being filled in `openMonth` (orders come nearly in time order, so one lookup a month
        /// rather than one an order).
        private var totalsByMonth: [Int64: Int64] = [:]
        private var openMonth: Int64 = -1
        private var openRevenueMinor: Int64 = 0

        init(products: [ProductKPIs.Product], indexOfProduct: [Int32]) {
            categories = Set(products.compactMap(\.categoryId)).sorted()
            let indexOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
            categoryOfProduct = products.map { $0.categoryId.flatMap { indexOf[$0] } ?? -1 }
            self.indexOfProduct = indexOfProduct
            lastKeyOf = [Int64](repeating: -1, count: categories.count)
            lastCellOf = [Int](repeating: -1, count: categories.count)
        }

        mutating func add(day: Int64, amountMinor: Int64, lines: [OrderActivity.Line]) {
            let month = Int64(CohortRetention.month(ofDay: day))
            if month != openMonth {
                if openMonth >= 0 { totalsByMonth[openMonth, default: 0] += openRevenueMinor }
                openMonth = month
                openRevenueMinor = 0
            }
            openRevenueMinor += amountMinor
            seen.removeAll(keepingCapacity: true)
            for line in lines {
                guard line.productKey >= 0, Int(line.productKey) < indexOfProduct.count, indexOfProduct[Int(line.productKey)] >= 0 else { continue }
                let category = categoryOfProduct[Int(indexOfProduct[Int(line.productKey)])]
                guard category >= 0 else { continue }
                let key = Int64(category) << 32 | month
                var cell = lastCellOf[Int(category)]
                if lastKeyOf[Int(category)] != key {
                    if let known = indexOfKey[key] {
                        cell = known
                    } else {
                        cell = cells.count
                        cells.append(Cell())
                        indexOfKey[key] = cell
                    }
                    lastKeyOf[Int(category)] = key
                    lastCellOf[Int(category)] = cell
                }
                cells[cell].revenueMinor += line.amountMinor
                cells[cell].units += line.units
                if amountMinor > 0 && !seen.contains(category) {
                    seen.append(category)
                    cells[cell].orders += 1
                }
            }
        }

        /// Adds another part of the pass (its orders are none of these).
        mutating func merge(_ other: Accumulator) {
            for (key, otherCell) in other.indexOfKey {
                let cell = indexOfKey[key] ?? {
                    cells.append(Cell())
                    indexOfKey[key] = cells.count - 1
                    return cells.count - 1
                }()
                cells[cell].revenueMinor += other.cells[otherCell].revenueMinor
                cells[cell].units += other.cells[otherCell].units
                cells[cell].orders += other.cells[otherCell].orders
            }
            for (month, revenue) in other.totalRevenue() { totalsByMonth[Int64(month), default: 0] += revenue }
            if openMonth >= 0 { totalsByMonth[openMonth, default: 0] += openRevenueMinor }
            openMonth = -1
            openRevenueMinor = 0
            // Cells may have moved in the merge: later adds look them up again.
            lastKeyOf = [Int64](repeating: -1, count: categories.count)
        }

        /// Each category's revenue by month (year × 12 + month − 1), by category_id then month.
        func categoryRevenue() -> [(category: String, month: Int, revenueMinor: Int64)] {
            indexOfKey.keys.sorted().map { (categories[Int($0 >> 32)], Int($0 & 0xFFFF_FFFF), cells[indexOfKey[$0]!].revenueMinor) }
        }

        /// All sales by month, in month order.
        func totalRevenue() -> [(month: Int, revenueMinor: Int64)] {
            var totals = totalsByMonth
            if openMonth >= 0 { totals[openMonth, default: 0] += openRevenueMinor }
            return totals.keys.sorted().map { (Int($0), totals[$0]!) }
        }

        /// By category_id, then month; share = the category's part of all categories' revenue that month.
        func write(to outputs: OutputFolder) throws {
            var monthRevenue: [Int64: Int64] = [:]
            for (key, cell) in indexOfKey { monthRevenue[key & 0xFFFF_FFFF, default: 0] += cells[cell].revenueMinor }
            try outputs.writeCSV("category_month.csv", header: ["category_id", "month", "revenue", "units", "orders", "share_of_month"]) { csv in
                for key in indexOfKey.keys.sorted() {
                    let cell = cells[indexOfKey[key]!], month = Int(key & 0xFFFF_FFFF), total = monthRevenue[key & 0xFFFF_FFFF] ?? 0
                    try csv.text(categories[Int(key >> 32)])
                    try csv.raw(CohortRetention.monthText(month))
                    try csv.money(cell.revenueMinor)
                    try csv.integer(cell.units)
                    try csv.integer(cell.orders)
                    try csv.real(total != 0 ? Double(cell.revenueMinor) / Double(total) : nil)
                    try csv.endRow()
                }
            }
        }
    }
}
