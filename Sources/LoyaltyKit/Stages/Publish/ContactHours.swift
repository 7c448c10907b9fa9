/// contact_hours.csv: when each segment orders, by local weekday and hour, to pick send times.
/// Every segment (and `All customers`) gets the full 7 × 24 grid, so heat maps need no gaps filled.
enum ContactHours {
    static let allCustomers = "All customers"

    /// Order counts per segment, `[weekday − 1][hour]`.
    /// - Parameter segmentOf: a customer key's segment, as an index into `segments` (−1: none).
    /// - Parameter cells: (customer, weekday × 24 + hour, orders) from `agg_customer_hour`.
    static func grid(_ cells: [(customer: Int32, cell: Int16, orders: Int32)], segments: [String], segmentOf: [Int16]) -> [String: [[Int]]] {
        // Flat counters by segment index (last: all customers): no hashing per row.
        var counts = [Int](repeating: 0, count: (segments.count + 1) * 168)
        let all = segments.count
        for entry in cells {
            let cell = Int(entry.cell), orders = Int(entry.orders)
            counts[all * 168 + cell] += orders
            let key = Int(entry.customer)
            if key < segmentOf.count, segmentOf[key] >= 0 { counts[Int(segmentOf[key]) * 168 + cell] += orders }
        }
        var grids: [String: [[Int]]] = [:]
        for (index, name) in (segments + [allCustomers]).enumerated() {
            let base = index * 168
            guard counts[base..<(base + 168)].contains(where: { $0 > 0 }) else { continue }
            grids[name] = (0..<7).map { weekday in Array(counts[(base + weekday * 24)..<(base + weekday * 24 + 24)]) }
        }
        return grids
    }

    /// - Parameter segments: the report's segment order.
    static func write(_ grids: [String: [[Int]]], segments: [String], to outputs: OutputFolder) throws {
        try outputs.writeCSV("contact_hours.csv", header: ["segment", "weekday", "hour", "orders", "share"]) { csv in
            for segment in [allCustomers] + segments {
                guard let grid = grids[segment] else { continue }
                let total = grid.reduce(0) { $0 + $1.reduce(0, +) }
                for weekday in 0..<7 {
                    for hour in 0..<24 {
                        try csv.text(segment)
                        try csv.integer(weekday + 1)
                        try csv.integer(hour)
                        try csv.integer(grid[weekday][hour])
                        try csv.real(Double(grid[weekday][hour]) / Double(total))
                        try csv.endRow()
                    }
                }
            }
        }
    }
}
