/// cohort_retention.csv: customers by the month of their first order in the figures window
/// (the cohort), and how many of them ordered again 0, 1, 2 … months later, up to as_of's month.
enum CohortRetention {
    struct Cell: Equatable {
        let cohort: Int
        let cohortCustomers: Int
        let monthsSince: Int
        let customers: Int
    }

    /// `YYYY-MM` of a month number.
    static func monthText(_ month: Int) -> String {
        "\(month / 12)-\(month % 12 + 1 < 10 ? "0" : "")\(month % 12 + 1)"
    }

    /// - Parameter keys: distinct customer << 24 | month with a purchase, ascending (a customer's
    ///   first month is their cohort).
    static func cells(customerMonths keys: [Int64], asOf: Int64) -> [Cell] {
        var size: [Int: Int] = [:]
        var counts: [Int: [Int: Int]] = [:]
        var previous: Int64 = -1, customer: Int64 = -1, cohort = 0
        for key in keys where key != previous {
            previous = key
            let month = Int(key & 0xFF_FFFF)
            if key >> 24 != customer {
                customer = key >> 24
                cohort = month
                size[cohort, default: 0] += 1
            }
            counts[cohort, default: [:]][month - cohort, default: 0] += 1
        }
        let last = CivilDate.month(ofDay: asOf)
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
                try csv.raw(monthText(cell.cohort))
                try csv.integer(cell.cohortCustomers)
                try csv.integer(cell.monthsSince)
                try csv.integer(cell.customers)
                try csv.real(Double(cell.customers) / Double(cell.cohortCustomers))
                try csv.endRow()
            }
        }
    }
}
