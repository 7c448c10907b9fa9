/// cohort_retention.csv: customers by the month of their first order in the figures window
/// (the cohort), and how many of them ordered again 0, 1, 2 … months later, up to as_of's month.
enum CohortRetention {
    struct Cell: Equatable {
        let cohort: Int
        let cohortCustomers: Int
        let monthsSince: Int
        let customers: Int
    }

    /// Months are counted as year × 12 + month − 1.
    static func month(ofDay day: Int64) -> Int {
        let date = CivilDate.civil(day)
        return date.year * 12 + date.month - 1
    }

    static func cells(_ orders: [OrderActivity.Order], asOf: Int64) -> [Cell] {
        // Each customer's first month, then the distinct (customer, month) pairs.
        var first: [Int32: Int] = [:]
        var active = Set<Int64>()
        for order in orders {
            let month = month(ofDay: Int64(order.day))
            first[order.customerKey] = min(first[order.customerKey] ?? .max, month)
            active.insert(Int64(order.customerKey) << 20 | Int64(month))
        }
        var size: [Int: Int] = [:]
        for (_, month) in first { size[month, default: 0] += 1 }
        var counts: [Int: [Int: Int]] = [:]
        for key in active {
            let customer = Int32(key >> 20), month = Int(key & 0xFFFFF)
            let cohort = first[customer]!
            counts[cohort, default: [:]][month - cohort, default: 0] += 1
        }
        let last = month(ofDay: asOf)
        var cells: [Cell] = []
        for cohort in size.keys.sorted() {
            for since in 0...(last - cohort) {
                cells.append(Cell(cohort: cohort, cohortCustomers: size[cohort]!, monthsSince: since, customers: counts[cohort]?[since] ?? 0))
            }
        }
        return cells
    }

    static func write(_ cells: [Cell], to outputs: OutputFolder) throws {
        try outputs.writeCSV("cohort_retention.csv", header: ["cohort", "cohort_customers", "months_since", "customers", "retention"]) { csv in
            for cell in cells {
                let month = cell.cohort % 12 + 1
                try csv.raw("\(cell.cohort / 12)-\(month < 10 ? "0" : "")\(month)")
                try csv.integer(cell.cohortCustomers)
                try csv.integer(cell.monthsSince)
                try csv.integer(cell.customers)
                try csv.real(Double(cell.customers) / Double(cell.cohortCustomers))
                try csv.endRow()
            }
        }
    }
}
