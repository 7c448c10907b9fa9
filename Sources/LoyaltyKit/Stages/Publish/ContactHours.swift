/// contact_hours.csv: when each segment orders, by local weekday and hour, to pick send times.
/// Every segment (and `All customers`) gets the full 7 × 24 grid, so heat maps need no gaps filled.
enum ContactHours {
    static let allCustomers = "All customers"

    /// ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    static func weekday(ofDay day: Int64) -> Int {
        Int(((day + 3) % 7 + 7) % 7) + 1
    }

    /// Order counts per segment, `[weekday − 1][hour]`.
    static func grid(_ orders: [OrderActivity.Order], segmentOf: (Int32) -> String?) -> [String: [[Int]]] {
        var grids: [String: [[Int]]] = [:]
        let empty = [[Int]](repeating: [Int](repeating: 0, count: 24), count: 7)
        for order in orders {
            let weekday = weekday(ofDay: Int64(order.day)) - 1, hour = Int(order.hour)
            grids[allCustomers, default: empty][weekday][hour] += 1
            if let segment = segmentOf(order.customerKey) { grids[segment, default: empty][weekday][hour] += 1 }
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
