import Foundation
import GRDB

/// Segment: RFM figures, R-compatible scores, rule segments and k-means clusters for every known
/// customer as of `as_of`; keeps membership per `as_of` and reports migration since the previous
/// one. Customer value (P(alive), expected purchases and spend, CLV) is worked out here too: it
/// reads the same per-customer aggregates.
public struct SegmentStage: Stage {
    public let name = "segment"
    public let reads = ["customer", "agg_customer", "agg_product", "product"]
    public let owns = ["customer_rfm", "segment_membership", "segment_threshold", "cluster_profile", "segment_migration",
                       "customer_value", "value_model"]
    public let checks: [TableCheck] = [
        .holds("customer_rfm", "(frequency >= 1) = (r_score IS NOT NULL AND f_score IS NOT NULL AND m_score IS NOT NULL)",
               describe: "customer_key"),
        .holds("customer_rfm", "frequency >= 1 OR segment = 'No Purchases'", describe: "customer_key"),
        .holds("customer_rfm", "recency_days IS NULL OR recency_days >= 0", describe: "customer_key"),
    ]

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config.segment
        let asOf = context.asOf
        let asOfText = context.settings.asOfText
        try context.maintainAggregates()

        let (known, aggregates, marginShare) = try context.warehouse.database.read { db -> ([(key: Int64, id: String)], CustomerAggregates, Double) in
            var known: [(key: Int64, id: String)] = []
            try RowScan.forEach(db, sql: "SELECT customer_key, customer_id FROM customer ORDER BY customer_id") { row in
                known.append((row.int64(0), row.text(1)))
            }
            let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? 0
            return (known, try CustomerAggregates.load(db, maxCustomerKey: maxKey),
                    try MarginShare.ofWindow(db, marginRate: context.config.offers.marginRate))
        }
        context.phaseDone("read \(known.count) customers and their purchase aggregates")
        let result = CustomerSegmentation.compute(
            known: known, aggregates: aggregates, asOf: asOf, lookbackDays: config.lookbackDays, config: config,
            seed: context.config.seed, clock: context.clock)
        for warning in result.warnings { context.logger.warning("\(warning)") }
        context.phaseDone("scored and clustered into \(result.clusters.profiles.count) clusters")
        let value = CustomerValue.compute(known: known, aggregates: aggregates, asOf: asOf, clock: context.clock, config: context.config.value,
                                          marginShare: marginShare)
        for warning in value.warnings { context.logger.warning("\(warning)") }
        context.phaseDone("customer value: \(value.model.purchasing?.fit.customers ?? 0) customers fitted")
        let valueDocument = ValueReports.modelJSON(value, asOf: asOfText)

        // The CSV files need only the result: write them on a second core while SQLite writes tables.
        let reports = WorkerThread(name: "segment-reports") {
            try SegmentReports.write(result, rules: config.rules, to: context.outputs)
            try ValueReports.write(value, document: valueDocument, to: context.outputs)
        }
        let migration: [(from: String, to: String, customers: Int)]
        do {
            // Every customer key comes from the customer table read above; nothing deletes customers.
            migration = try context.write(enforcingForeignKeys: false) { db in
                try SegmentTables.replace(db, with: result, asOf: asOfText)
                try ValueTables.replace(db, with: value, document: valueDocument, asOf: asOfText)
                return try SegmentHistory.migration(db, asOf: asOfText)
            }
        } catch {
            reports.join()
            throw error
        }
        try reports.result()
        try SegmentReports.writeMigration(migration, to: context.outputs)
        context.phaseDone("tables and outputs written")

        let scored = result.customers.filter { $0.scores != nil }.count
        var summary = ["\(result.customers.count) customers, \(scored) scored, \(result.clusters.profiles.count) clusters"]
        if !result.clusters.silhouettes.isEmpty {
            summary.append("k chosen by silhouette: " + result.clusters.silhouettes.map { "k=\($0.k) \(String(format: "%.3f", $0.score))" }.joined(separator: ", "))
        }
        if let purchasing = value.model.purchasing?.model {
            let spend = value.model.spending?.model
            summary.append("customer value: BG/NBD r=\(Self.brief(purchasing.r)) alpha=\(Self.brief(purchasing.alpha)) a=\(Self.brief(purchasing.a)) "
                + "b=\(Self.brief(purchasing.b)); Gamma-Gamma " + (spend.map { "p=\(Self.brief($0.p)) q=\(Self.brief($0.q)) v=\(Self.brief($0.v))" } ?? "not fitted"))
        }
        summary += (result.warnings + value.warnings).map { "warning: \($0)" }
        return StageReport(rowsWritten: result.customers.count, summary: summary)
    }
}

extension SegmentStage {
    /// 4 significant digits, for the run summary.
    static func brief(_ value: Double) -> String { String(format: "%.4g", value) }
}

/// The window's gross margin as a share of its revenue, for CLV: each product's revenue less its
/// units at cost, or its revenue × `offers.margin_rate` when the catalog has no cost.
enum MarginShare {
    static func ofWindow(_ db: Database, marginRate: Double) throws -> Double {
        var revenue: Int64 = 0, knownMargin: Int64 = 0, revenueWithoutCost: Int64 = 0
        try RowScan.forEach(db, sql: "SELECT a.revenue_minor, a.units, p.cost_minor FROM agg_product a JOIN product p USING (product_key)") { row in
            let productRevenue = row.int64(0)
            revenue += productRevenue
            if let cost = row.optionalInt64(2) {
                knownMargin += productRevenue - row.int64(1) * cost
            } else {
                revenueWithoutCost += productRevenue
            }
        }
        guard revenue > 0 else { return marginRate }
        return (Double(knownMargin) + Double(revenueWithoutCost) * marginRate) / Double(revenue)
    }
}

/// Writes the stage's tables: the latest figures replace the previous ones; membership,
/// thresholds and clusters replace only this `as_of`.
enum SegmentTables {
    static func replace(_ db: Database, with result: CustomerSegmentation, asOf: String) throws {
        try db.execute(sql: "DELETE FROM customer_rfm")
        for table in ["segment_membership", "segment_threshold", "cluster_profile"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE as_of = ?", arguments: [asOf])
        }
        let rfm = try BatchInsert<CustomerSegmentation.Customer>(db, insert: """
            INSERT INTO customer_rfm (customer_key, as_of, recency_days, frequency, monetary_minor, activity_coefficient,
                r_score, f_score, m_score, segment, cluster, first_order_at, last_order_at)
            """, columns: 13) { customer, statement, offset in
            statement.bind(offset + 1, customer.key)
            statement.bind(offset + 2, asOf)
            statement.bind(offset + 3, customer.recencyDays.map(Int64.init))
            statement.bind(offset + 4, Int64(customer.frequency))
            statement.bind(offset + 5, customer.monetaryMinor)
            statement.bind(offset + 6, customer.activityCoefficient)
            statement.bind(offset + 7, customer.scores.map { Int64($0.r) })
            statement.bind(offset + 8, customer.scores.map { Int64($0.f) })
            statement.bind(offset + 9, customer.scores.map { Int64($0.m) })
            statement.bind(offset + 10, customer.segment)
            statement.bind(offset + 11, customer.cluster.map(Int64.init))
            statement.bind(offset + 12, customer.firstPurchaseAt)
            statement.bind(offset + 13, customer.lastPurchaseAt)
        }
        let membership = try BatchInsert<CustomerSegmentation.Customer>(
            db, insert: "INSERT INTO segment_membership (as_of, customer_key, segment, cluster)", columns: 4
        ) { customer, statement, offset in
            statement.bind(offset + 1, asOf)
            statement.bind(offset + 2, customer.key)
            statement.bind(offset + 3, customer.segment)
            statement.bind(offset + 4, customer.cluster.map(Int64.init))
        }
        for customer in result.customers {
            try rfm.add(customer)
            try membership.add(customer)
        }
        try rfm.flush()
        try membership.flush()
        for (dimension, thresholds) in result.thresholds {
            for bin in thresholds.counts.indices {
                try db.execute(
                    sql: "INSERT INTO segment_threshold (as_of, dimension, score, lower, upper, customers) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [asOf, dimension, thresholds.score(ofBin: bin), thresholds.lower[bin], thresholds.upper[bin], thresholds.counts[bin]])
            }
        }
        for profile in result.clusters.profiles {
            try db.execute(
                sql: """
                    INSERT INTO cluster_profile (as_of, cluster, label, customers, centroid_recency_days, centroid_frequency,
                        centroid_monetary, inertia_share) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [asOf, profile.cluster, profile.label, profile.customers, profile.centroidRecencyDays,
                            profile.centroidFrequency, profile.centroidMonetary, profile.inertiaShare])
        }
    }
}

/// Segment membership over time.
enum SegmentHistory {
    static let newCustomer = "(new)"
    static let goneCustomer = "(gone)"

    /// Customers per (segment at the previous `as_of`, segment now), also kept in the
    /// `segment_migration` table for the reports; empty on a first run.
    static func migration(_ db: Database, asOf: String) throws -> [(from: String, to: String, customers: Int)] {
        let moves = try keepMoves(db, asOf: asOf)
        // A night segmented between two others becomes the later one's previous night.
        if let next = try String.fetchOne(db, sql: "SELECT MIN(as_of) FROM segment_membership WHERE as_of > ?", arguments: [asOf]) {
            _ = try keepMoves(db, asOf: next)
        }
        return moves
    }

    private static func keepMoves(_ db: Database, asOf: String) throws -> [(from: String, to: String, customers: Int)] {
        try db.execute(sql: "DELETE FROM segment_migration WHERE as_of = ?", arguments: [asOf])
        guard let previous = try String.fetchOne(db, sql: "SELECT MAX(as_of) FROM segment_membership WHERE as_of < ?", arguments: [asOf]) else {
            return []
        }
        let moves = try count(db, from: previous, to: asOf)
        for move in moves {
            try db.execute(sql: """
                INSERT INTO segment_migration (as_of, previous_as_of, from_segment, to_segment, customers) VALUES (?, ?, ?, ?, ?)
                """, arguments: [asOf, previous, move.from, move.to, move.customers])
        }
        return moves
    }

    /// Customers per (segment then, segment now), ordered by the two names' bytes. Both nights'
    /// members are read in key order and merged here: a join of two million-row nights in SQL
    /// costs a lookup per customer and took seconds.
    static func count(_ db: Database, from previous: String, to asOf: String) throws -> [(from: String, to: String, customers: Int)] {
        var names: [String: Int] = [newCustomer: 0, goneCustomer: 1]
        var nameList = [newCustomer, goneCustomer]
        func members(_ night: String) throws -> (keys: [Int64], segments: [Int32]) {
            var keys: [Int64] = [], segments: [Int32] = []
            try RowScan.forEach(db, sql: "SELECT customer_key, segment FROM segment_membership WHERE as_of = ? ORDER BY customer_key",
                                arguments: [night]) { row in
                keys.append(row.int64(0))
                let name = row.text(1)
                if let known = names[name] {
                    segments.append(Int32(known))
                } else {
                    names[name] = nameList.count
                    segments.append(Int32(nameList.count))
                    nameList.append(name)
                }
            }
            return (keys, segments)
        }
        let then = try members(previous), now = try members(asOf)
        var counts: [Int64: Int] = [:]
        func count(_ from: Int32, _ to: Int32) { counts[Int64(from) << 32 | Int64(to), default: 0] += 1 }
        var i = 0, j = 0
        while i < then.keys.count || j < now.keys.count {
            if j == now.keys.count || (i < then.keys.count && then.keys[i] < now.keys[j]) {
                count(then.segments[i], 1)
                i += 1
            } else if i == then.keys.count || now.keys[j] < then.keys[i] {
                count(0, now.segments[j])
                j += 1
            } else {
                count(then.segments[i], now.segments[j])
                i += 1
                j += 1
            }
        }
        return counts.map { (from: nameList[Int($0.key >> 32)], to: nameList[Int($0.key & 0xFFFF_FFFF)], customers: $0.value) }
            .sorted { $0.from != $1.from ? $0.from.utf8.lexicographicallyPrecedes($1.from.utf8) : $0.to.utf8.lexicographicallyPrecedes($1.to.utf8) }
    }
}
