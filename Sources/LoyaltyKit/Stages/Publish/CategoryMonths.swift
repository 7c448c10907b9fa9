import GRDB

/// category_month.csv: each category's sales by calendar month (local time), for seasonality
/// charts; enrich's category_seasonality.csv folds the same sales into 12 calendar months. Read
/// from the aggregates: `agg_category_month` (by each product's own category) and, for the months'
/// totals with uncategorised products included, `agg_product_month`.
struct CategoryMonths {
    struct Cell {
        var revenueMinor: Int64 = 0
        var units: Int64 = 0
        /// Orders of positive net amount holding the category.
        var orders = 0
    }

    /// Category ids in id order; cells by category index and month (year × 12 + month − 1), in that order.
    private(set) var categories: [String] = []
    private(set) var cells: [(category: Int, month: Int, cell: Cell)] = []
    private var totals: [(month: Int, revenueMinor: Int64)] = []

    static func load(_ db: Database) throws -> CategoryMonths {
        var months = CategoryMonths()
        var indexOfKey: [Int64: Int] = [:]
        try RowScan.forEach(db, sql: """
            SELECT category_key, category_id FROM category WHERE category_key IN (SELECT category_key FROM product) ORDER BY category_id
            """) { row in
            indexOfKey[row.int64(0)] = months.categories.count
            months.categories.append(row.text(1))
        }
        try RowScan.forEach(db, sql: "SELECT category_key, month, revenue_minor, units, paid_orders FROM agg_category_month") { row in
            guard let category = indexOfKey[row.int64(0)] else { return }
            months.cells.append((category, Int(row.int64(1)), Cell(revenueMinor: row.int64(2), units: row.int64(3), orders: Int(row.int64(4)))))
        }
        months.cells.sort { ($0.category, $0.month) < ($1.category, $1.month) }
        try RowScan.forEach(db, sql: "SELECT month, SUM(revenue_minor) FROM agg_product_month GROUP BY month ORDER BY month") { row in
            months.totals.append((Int(row.int64(0)), row.int64(1)))
        }
        return months
    }

    /// Each category's revenue by month, by category_id then month.
    func categoryRevenue() -> [(category: String, month: Int, revenueMinor: Int64)] {
        cells.map { (categories[$0.category], $0.month, $0.cell.revenueMinor) }
    }

    /// All sales by month, in month order.
    func totalRevenue() -> [(month: Int, revenueMinor: Int64)] { totals }

    /// By category_id, then month; share = the category's part of all categories' revenue that month.
    func write(to outputs: OutputFolder) throws {
        var monthRevenue: [Int: Int64] = [:]
        for entry in cells { monthRevenue[entry.month, default: 0] += entry.cell.revenueMinor }
        try outputs.writeCSV("category_month.csv", header: ["category_id", "month", "revenue", "units", "orders", "share_of_month"]) { csv in
            for entry in cells {
                let total = monthRevenue[entry.month] ?? 0
                try csv.text(categories[entry.category])
                try csv.raw(CohortRetention.monthText(entry.month))
                try csv.money(entry.cell.revenueMinor)
                try csv.integer(entry.cell.units)
                try csv.integer(entry.cell.orders)
                try csv.real(total != 0 ? Double(entry.cell.revenueMinor) / Double(total) : nil)
                try csv.endRow()
            }
        }
    }
}
