/// The segment stage's CSV outputs (columns documented in docs/outputs.md).
enum SegmentReports {
    static func write(_ result: CustomerSegmentation, rules: [SegmentRule], to outputs: OutputFolder) throws {
        try writeCustomers(result, to: outputs)
        try writeSegments(result, rules: rules, to: outputs)
        try outputs.writeCSV("segment_thresholds.csv", header: ["dimension", "score", "lower", "upper", "customers"]) { csv in
            for (dimension, thresholds) in result.thresholds {
                for bin in thresholds.counts.indices.sorted(by: { thresholds.score(ofBin: $0) < thresholds.score(ofBin: $1) }) {
                    try csv.text(dimension)
                    try csv.raw(String(thresholds.score(ofBin: bin)))
                    try csv.raw(NumberFormat.shortest(thresholds.lower[bin]))
                    try csv.raw(NumberFormat.shortest(thresholds.upper[bin]))
                    try csv.raw(String(thresholds.counts[bin]))
                    try csv.endRow()
                }
            }
        }
        try outputs.writeCSV("clusters.csv", header: [
            "cluster", "label", "customers", "centroid_recency_days", "centroid_frequency", "centroid_monetary", "inertia_share",
        ]) { csv in
            for profile in result.clusters.profiles {
                try csv.raw(String(profile.cluster))
                try csv.text(profile.label)
                try csv.raw(String(profile.customers))
                try csv.raw(NumberFormat.shortest(profile.centroidRecencyDays))
                try csv.raw(NumberFormat.shortest(profile.centroidFrequency))
                try csv.raw(NumberFormat.shortest(profile.centroidMonetary))
                try csv.raw(NumberFormat.shortest(profile.inertiaShare))
                try csv.endRow()
            }
        }
    }

    static func writeMigration(_ migration: [(from: String, to: String, customers: Int)], to outputs: OutputFolder) throws {
        try outputs.writeCSV("segment_migration.csv", header: ["from_segment", "to_segment", "customers"]) { csv in
            for row in migration {
                try csv.text(row.from)
                try csv.text(row.to)
                try csv.raw(String(row.customers))
                try csv.endRow()
            }
        }
    }

    private static func writeCustomers(_ result: CustomerSegmentation, to outputs: OutputFolder) throws {
        try outputs.writeCSV("customers_rfm.csv", header: [
            "customer_id", "recency_days", "frequency", "monetary", "avg_order_value", "activity_coefficient",
            "r_score", "f_score", "m_score", "rfm_score", "segment", "cluster", "first_order_at", "last_order_at",
        ]) { csv in
            for customer in result.customers {
                try csv.text(customer.id)
                try csv.integer(customer.recencyDays)
                try csv.integer(customer.frequency)
                try csv.money(customer.monetaryMinor)
                try csv.money(customer.frequency > 0 ? customer.monetaryMinor : nil, dividedBy: Int64(max(customer.frequency, 1)))
                try csv.real(customer.activityCoefficient)
                try csv.integer(customer.scores?.r)
                try csv.integer(customer.scores?.f)
                try csv.integer(customer.scores?.m)
                try csv.integer(customer.rfmScore)
                try csv.text(customer.segment)
                try csv.integer(customer.cluster)
                try csv.timestamp(customer.firstPurchaseAt)
                try csv.timestamp(customer.lastPurchaseAt)
                try csv.endRow()
            }
        }
    }

    /// One row per rule segment (in rule order, even when empty), then Others and No Purchases.
    private static func writeSegments(_ result: CustomerSegmentation, rules: [SegmentRule], to outputs: OutputFolder) throws {
        var names: [String] = []
        for rule in rules where !names.contains(rule.name) { names.append(rule.name) }
        for extra in [SegmentRuleBook.others, SegmentRuleBook.noPurchases] where !names.contains(extra) { names.append(extra) }
        struct Totals { var customers = 0, revenue: Int64 = 0, recency = 0, recencyCount = 0, frequency = 0 }
        var totals: [String: Totals] = [:]
        var allRevenue: Int64 = 0
        for customer in result.customers {
            var t = totals[customer.segment, default: Totals()]
            t.customers += 1
            t.revenue += customer.monetaryMinor
            t.frequency += customer.frequency
            if let recency = customer.recencyDays {
                t.recency += recency
                t.recencyCount += 1
            }
            totals[customer.segment] = t
            allRevenue += customer.monetaryMinor
        }
        let allCustomers = result.customers.count
        try outputs.writeCSV("segments.csv", header: [
            "segment", "customers", "share_customers", "revenue", "share_revenue", "avg_recency_days", "avg_frequency", "avg_monetary",
        ]) { csv in
            for name in names {
                let t = totals[name] ?? Totals()
                try csv.text(name)
                try csv.raw(String(t.customers))
                try csv.raw(allCustomers > 0 ? NumberFormat.shortest(Double(t.customers) / Double(allCustomers)) : nil)
                try csv.money(t.revenue)
                try csv.raw(allRevenue != 0 ? NumberFormat.shortest(Double(t.revenue) / Double(allRevenue)) : nil)
                try csv.raw(t.recencyCount > 0 ? NumberFormat.shortest(Double(t.recency) / Double(t.recencyCount)) : nil)
                try csv.raw(t.customers > 0 ? NumberFormat.shortest(Double(t.frequency) / Double(t.customers)) : nil)
                try csv.money(t.customers > 0 ? t.revenue : nil, dividedBy: Int64(max(t.customers, 1)))
                try csv.endRow()
            }
        }
    }
}
