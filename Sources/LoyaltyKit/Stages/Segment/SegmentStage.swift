import Foundation
import GRDB

/// Segment: RFM figures, R-compatible scores, rule segments and k-means clusters for every known
/// customer as of `as_of`; keeps membership per `as_of` and reports migration since the previous one.
public struct SegmentStage: Stage {
    public let name = "segment"
    public let reads = ["customer", "order_line"]
    public let owns = ["customer_rfm", "segment_membership", "segment_threshold", "cluster_profile"]
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
        let until = context.clock.startOfDay(asOf + 1)
        let from = config.lookbackDays.map { context.clock.startOfDay(asOf - Int64($0) + 1) }

        let (known, aggregates) = try context.warehouse.database.read { db -> ([(key: Int64, id: String)], CustomerAggregates) in
            var known: [(key: Int64, id: String)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT customer_key, customer_id FROM customer ORDER BY customer_id")
            while let row = try rows.next() { known.append((row[0], row[1])) }
            let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(customer_key) FROM customer") ?? 0
            let aggregates = try CustomerAggregates.load(db, from: from, until: until, maxCustomerKey: maxKey, clock: context.clock)
            return (known, aggregates)
        }
        context.logger.info("segment: aggregated purchases", metadata: ["customers": "\(known.count)"])
        let result = CustomerSegmentation.compute(
            known: known, aggregates: aggregates, asOf: asOf, lookbackDays: config.lookbackDays, config: config,
            seed: context.config.seed, clock: context.clock)
        for warning in result.warnings { context.logger.warning("\(warning)") }

        let migration = try context.write { db -> [(from: String, to: String, customers: Int)] in
            try SegmentTables.replace(db, with: result, asOf: asOfText)
            return try SegmentHistory.migration(db, asOf: asOfText)
        }
        try SegmentReports.write(result, migration: migration, bins: config.bins, rules: config.rules, to: context.outputs)

        let scored = result.customers.filter { $0.scores != nil }.count
        var summary = ["\(result.customers.count) customers, \(scored) scored, \(result.clusters.profiles.count) clusters"]
        if !result.clusters.silhouettes.isEmpty {
            summary.append("k chosen by silhouette: " + result.clusters.silhouettes.map { "k=\($0.k) \(String(format: "%.3f", $0.score))" }.joined(separator: ", "))
        }
        summary += result.warnings.map { "warning: \($0)" }
        return StageReport(rowsWritten: result.customers.count, summary: summary)
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
        let rfm = try BulkStatement(db, sql: """
            INSERT INTO customer_rfm (customer_key, as_of, recency_days, frequency, monetary_minor, activity_coefficient,
                r_score, f_score, m_score, segment, cluster, first_order_at, last_order_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let membership = try BulkStatement(db, sql: "INSERT INTO segment_membership (as_of, customer_key, segment, cluster) VALUES (?, ?, ?, ?)")
        for customer in result.customers {
            rfm.bind(1, customer.key)
            rfm.bind(2, asOf)
            rfm.bind(3, customer.recencyDays.map(Int64.init))
            rfm.bind(4, Int64(customer.frequency))
            rfm.bind(5, customer.monetaryMinor)
            rfm.bind(6, customer.activityCoefficient)
            rfm.bind(7, customer.scores.map { Int64($0.r) })
            rfm.bind(8, customer.scores.map { Int64($0.f) })
            rfm.bind(9, customer.scores.map { Int64($0.m) })
            rfm.bind(10, customer.segment)
            rfm.bind(11, customer.cluster.map(Int64.init))
            rfm.bind(12, customer.firstPurchaseAt)
            rfm.bind(13, customer.lastPurchaseAt)
            try rfm.execute()
            membership.bind(1, asOf)
            membership.bind(2, customer.key)
            membership.bind(3, customer.segment)
            membership.bind(4, customer.cluster.map(Int64.init))
            try membership.execute()
        }
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

    /// Customers per (segment at the previous `as_of`, segment now); empty on a first run.
    static func migration(_ db: Database, asOf: String) throws -> [(from: String, to: String, customers: Int)] {
        guard let previous = try String.fetchOne(db, sql: "SELECT MAX(as_of) FROM segment_membership WHERE as_of < ?", arguments: [asOf]) else {
            return []
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT COALESCE(p.segment, ?), n.segment, COUNT(*) FROM segment_membership n
            LEFT JOIN segment_membership p ON p.as_of = ? AND p.customer_key = n.customer_key
            WHERE n.as_of = ? GROUP BY 1, 2
            UNION ALL
            SELECT p.segment, ?, COUNT(*) FROM segment_membership p
            WHERE p.as_of = ? AND NOT EXISTS (SELECT 1 FROM segment_membership n WHERE n.as_of = ? AND n.customer_key = p.customer_key)
            GROUP BY 1
            ORDER BY 1, 2
            """, arguments: [newCustomer, previous, asOf, goneCustomer, previous, asOf])
        return rows.map { ($0[0], $0[1], $0[2]) }
    }
}
