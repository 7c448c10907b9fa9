import GRDB

/// segments_report.csv: each segment decoded for a marketer — who is in it (the rule's score
/// ranges), how big and how valuable it is, and what to do with it (`publish.segment_actions`).
enum SegmentsReport {
    struct Row: Equatable {
        let segment: String
        var customers = 0
        var revenueMinor: Int64 = 0
        var recencySum = 0
        var recencyCount = 0
        var frequencySum = 0
        var activitySum = 0.0
        var activityCount = 0
        /// Customer value of the same as_of (customer_value), over the members that have one;
        /// clvCount −1: the sum overflowed, left empty.
        var clvSumMinor: Int64 = 0
        var clvCount = 0
        var probabilityAliveSum = 0.0
        var probabilityAliveCount = 0
    }

    /// One customer's figures of `customer_rfm`, for the reports that share the pass over it.
    struct Customer {
        let frequency: Int
        let recencyDays: Int64?
        let firstOrderAt: Int64?
        let activityCoefficient: Double?
        let rScore: Int?
        let fScore: Int?
        let monetaryMinor: Int64
        let probabilityAlive: Double?
        let clvDecile: Int?
    }

    /// Segments in rule order, then Others and No Purchases (as segments.csv lists them), and each
    /// customer key's segment as an index into them (−1: none), for the reports that split by segment.
    /// - Parameter onCustomer: called with each customer's figures, so the KPI summary and the
    ///   HTML report's R × F grid share the pass.
    static func load(_ db: Database, rules: [SegmentRule], onCustomer: (Customer) -> Void) throws -> (rows: [Row], segmentOf: [Int16]) {
        var names: [String] = []
        for rule in rules where !names.contains(rule.name) { names.append(rule.name) }
        for extra in [SegmentRuleBook.others, SegmentRuleBook.noPurchases] where !names.contains(extra) { names.append(extra) }
        var rows = names.map { Row(segment: $0) }
        let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer_rfm") ?? -1
        var segmentOf = [Int16](repeating: -1, count: maxKey + 1)
        // customer_value of customer_rfm's as_of, by key: one range scan beside the one over customer_rfm.
        var clvOf = [Int64?](repeating: nil, count: maxKey + 1), aliveOf = [Double?](repeating: nil, count: maxKey + 1)
        var decileOf = [Int?](repeating: nil, count: maxKey + 1)
        try RowScan.forEach(db, sql: """
            SELECT customer_key, clv_minor, p_alive, clv_decile FROM customer_value
            WHERE as_of = \(ValueSchema.figuresAsOf) AND customer_key <= ?
            """, arguments: [maxKey]) { row in
            let key = Int(row.int64(0))
            clvOf[key] = row.optionalInt64(1)
            aliveOf[key] = row.optionalDouble(2)
            decileOf[key] = row.optionalInt64(3).map(Int.init)
        }
        try RowScan.forEach(db, sql: """
            SELECT segment, monetary_minor, recency_days, frequency, activity_coefficient, customer_key, first_order_at, r_score, f_score
            FROM customer_rfm
            """) { scan in
            let key = Int(scan.int64(5))
            onCustomer(Customer(frequency: Int(scan.int64(3)), recencyDays: scan.optionalInt64(2), firstOrderAt: scan.optionalInt64(6),
                                activityCoefficient: scan.optionalDouble(4), rScore: scan.optionalInt64(7).map(Int.init),
                                fScore: scan.optionalInt64(8).map(Int.init), monetaryMinor: scan.int64(1), probabilityAlive: aliveOf[key],
                                clvDecile: decileOf[key]))
            let name = scan.text(0)
            var index = names.firstIndex(of: name)
            if index == nil {
                names.append(name)
                rows.append(Row(segment: name))
                index = rows.count - 1
            }
            segmentOf[Int(scan.int64(5))] = Int16(index!)
            rows[index!].customers += 1
            rows[index!].revenueMinor += scan.int64(1)
            if let recency = scan.optionalInt64(2) {
                rows[index!].recencySum += Int(recency)
                rows[index!].recencyCount += 1
            }
            rows[index!].frequencySum += Int(scan.int64(3))
            if let activity = scan.optionalDouble(4) {
                rows[index!].activitySum += activity
                rows[index!].activityCount += 1
            }
            if let clv = clvOf[key], rows[index!].clvCount >= 0 {
                let (sum, overflow) = rows[index!].clvSumMinor.addingReportingOverflow(clv)
                // Estimates from a fit gone wrong can exceed what Int64 sums: no figure beats a wrong one.
                if overflow { rows[index!].clvCount = -1 } else { rows[index!].clvSumMinor = sum; rows[index!].clvCount += 1 }
            }
            if let alive = aliveOf[key] {
                rows[index!].probabilityAliveSum += alive
                rows[index!].probabilityAliveCount += 1
            }
        }
        return (rows, segmentOf)
    }

    static func write(_ rows: [Row], rules: [SegmentRule], actions: [String: String], to outputs: OutputFolder) throws {
        let customers = rows.reduce(0) { $0 + $1.customers }, revenue = rows.reduce(Int64(0)) { $0 + $1.revenueMinor }
        try outputs.writeCSV("segments_report.csv", header: [
            "segment", "rule", "customers", "share_customers", "revenue", "share_revenue", "avg_recency_days", "avg_frequency",
            "avg_monetary", "avg_order_value", "avg_activity_coefficient", "action", "clv", "avg_clv", "avg_p_alive",
        ]) { csv in
            for row in rows {
                try csv.text(row.segment)
                try csv.text(rule(of: row.segment, in: rules))
                try csv.integer(row.customers)
                try csv.real(customers > 0 ? Double(row.customers) / Double(customers) : nil)
                try csv.money(row.revenueMinor)
                try csv.real(revenue != 0 ? Double(row.revenueMinor) / Double(revenue) : nil)
                try csv.real(row.recencyCount > 0 ? Double(row.recencySum) / Double(row.recencyCount) : nil)
                try csv.real(row.customers > 0 ? Double(row.frequencySum) / Double(row.customers) : nil)
                try csv.money(row.customers > 0 ? row.revenueMinor : nil, dividedBy: Int64(max(row.customers, 1)))
                try csv.money(row.frequencySum > 0 ? row.revenueMinor : nil, dividedBy: Int64(max(row.frequencySum, 1)))
                try csv.real(row.activityCount > 0 ? row.activitySum / Double(row.activityCount) : nil)
                try csv.text(actions[row.segment])
                try csv.money(row.clvCount > 0 ? row.clvSumMinor : nil)
                try csv.money(row.clvCount > 0 ? row.clvSumMinor : nil, dividedBy: Int64(max(row.clvCount, 1)))
                try csv.real(row.probabilityAliveCount > 0 ? row.probabilityAliveSum / Double(row.probabilityAliveCount) : nil)
                try csv.endRow()
            }
        }
    }

    /// The scores a segment's (first) rule asks for, e.g. "r 5–5, f 5–5, m 5–5".
    static func rule(of segment: String, in rules: [SegmentRule]) -> String {
        if segment == SegmentRuleBook.noPurchases { return "no order of positive amount in the window" }
        guard let rule = rules.first(where: { $0.name == segment }) else {
            return segment == SegmentRuleBook.others ? "scores no rule matches" : ""
        }
        func range(_ scores: ClosedRange<Int>) -> String { "\(scores.lowerBound)–\(scores.upperBound)" }
        return "r \(range(rule.recency)), f \(range(rule.frequency)), m \(range(rule.monetary))"
    }
}
