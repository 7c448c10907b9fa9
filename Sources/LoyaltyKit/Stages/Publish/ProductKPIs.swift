import GRDB

/// product_kpis.csv: how each product sells in the figures window, from the aggregates (the same
/// figures as enrich's product facts). Anonymous purchases count for units, revenue and orders
/// (the contract: they count for product KPIs, not for customers).
enum ProductKPIs {
    struct Row {
        var units: Int64 = 0
        var revenueMinor: Int64 = 0
        /// Orders with the product bought (positive quantity), and the sum of those orders' net amounts.
        var orders = 0
        var orderAmountsMinor: Int64 = 0
        var buyers = 0
        var repeatBuyers = 0
        /// What known customers paid for the product when they bought it, by segment index.
        var segmentRevenueMinor: [Int64] = []
    }
}

extension ProductKPIs {
    struct Product {
        let id: String
        let name: String
        let categoryId: String?
    }

    /// Products in product_id order, and each product key's index among them (−1: none).
    static func loadProducts(_ db: Database) throws -> (products: [Product], indexOfKey: [Int32]) {
        let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? -1
        var indexOfKey = [Int32](repeating: -1, count: maxKey + 1)
        var products: [Product] = []
        try RowScan.forEach(db, sql: """
            SELECT p.product_key, p.product_id, p.name, c.category_id FROM product p LEFT JOIN category c USING (category_key)
            ORDER BY p.product_id
            """) { row in
            indexOfKey[Int(row.int64(0))] = Int32(products.count)
            products.append(Product(id: row.text(1), name: row.text(2), categoryId: row.optionalText(3)))
        }
        return (products, indexOfKey)
    }

    /// product_kpis.csv (products sold in the window, by product_id) and product_segments.csv
    /// (each product's revenue from known customers by segment).
    static func write(_ rows: [Row], products: [Product], segments: [String], to outputs: OutputFolder) throws {
        let sold = rows.indices.filter { rows[$0].units != 0 || rows[$0].orders > 0 }
        try outputs.writeCSV("product_kpis.csv", header: [
            "product_id", "name", "category_id", "units", "revenue", "orders", "avg_check", "buyers", "repeat_rate", "top_segment",
            "top_segment_share",
        ]) { csv in
            for index in sold {
                let row = rows[index], product = products[index]
                try csv.text(product.id)
                try csv.text(product.name)
                try csv.text(product.categoryId)
                try csv.integer(row.units)
                try csv.money(row.revenueMinor)
                try csv.integer(row.orders)
                try csv.money(row.orders > 0 ? row.orderAmountsMinor : nil, dividedBy: Int64(max(row.orders, 1)))
                try csv.integer(row.buyers)
                try csv.real(row.buyers > 0 ? Double(row.repeatBuyers) / Double(row.buyers) : nil)
                let known = row.segmentRevenueMinor.reduce(0, +)
                // The segment bringing most revenue (ties: the earlier in report order).
                let top = row.segmentRevenueMinor.indices.max { row.segmentRevenueMinor[$0] != row.segmentRevenueMinor[$1]
                    ? row.segmentRevenueMinor[$0] < row.segmentRevenueMinor[$1] : $0 > $1 }
                let hasTop = known > 0 && top.map { row.segmentRevenueMinor[$0] > 0 } == true
                try csv.text(hasTop ? segments[top!] : nil)
                try csv.real(hasTop ? Double(row.segmentRevenueMinor[top!]) / Double(known) : nil)
                try csv.endRow()
            }
        }
        try outputs.writeCSV("product_segments.csv", header: ["product_id", "segment", "revenue", "share"]) { csv in
            for index in sold {
                let row = rows[index]
                let known = row.segmentRevenueMinor.reduce(0, +)
                for (segment, revenue) in row.segmentRevenueMinor.enumerated() where revenue != 0 {
                    try csv.text(products[index].id)
                    try csv.text(segments[segment])
                    try csv.money(revenue)
                    try csv.real(known != 0 ? Double(revenue) / Double(known) : nil)
                    try csv.endRow()
                }
            }
        }
    }
}
