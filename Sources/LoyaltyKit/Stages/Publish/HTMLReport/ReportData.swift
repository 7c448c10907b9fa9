import GRDB

/// Everything report.html shows, as plain values: what the publish stage already holds in memory
/// (KPIs, segments, the R × F grid, cohorts, monthly sales) plus what `load` reads from the warehouse. Each read
/// is one aggregate query, so the page costs the same at a million customers as at a thousand.
struct ReportData {
    /// Scored customers with one (recency score, frequency score).
    struct RFCell: Equatable {
        let r: Int
        let f: Int
        var customers: Int
        var monetarySumMinor: Int64
    }

    /// Adds up the R × F grid from the segments report's pass over `customer_rfm`.
    struct RecencyFrequency {
        private var cells: [Int: RFCell] = [:]

        mutating func add(_ customer: SegmentsReport.Customer) {
            guard let r = customer.rScore, let f = customer.fScore else { return }
            cells[r * 1000 + f, default: RFCell(r: r, f: f, customers: 0, monetarySumMinor: 0)].customers += 1
            cells[r * 1000 + f]!.monetarySumMinor += customer.monetaryMinor
        }

        /// By recency score, then frequency score.
        var sorted: [RFCell] { cells.keys.sorted().map { cells[$0]! } }
    }

    /// Customers with customer value, counted by P(alive) band (0: below 0.2 … 4: 0.8 and above)
    /// and CLV decile.
    struct ValueCell: Equatable {
        let band: Int
        let decile: Int
        var customers: Int
    }

    struct ValueGrid {
        static let bands = 5
        private var cells: [Int: ValueCell] = [:]

        mutating func add(_ customer: SegmentsReport.Customer) {
            guard let alive = customer.probabilityAlive, let decile = customer.clvDecile else { return }
            let band = min(Self.bands - 1, Int(alive * Double(Self.bands)))
            cells[band * 100 + decile, default: ValueCell(band: band, decile: decile, customers: 0)].customers += 1
        }

        var sorted: [ValueCell] { cells.keys.sorted().map { cells[$0]! } }
    }

    /// Customers who were in `from` at the previous as_of and are in `to` now; `(new)` and
    /// `(gone)` as in segment_migration.csv.
    struct Move: Equatable {
        static let new = SegmentHistory.newCustomer
        static let gone = SegmentHistory.goneCustomer
        let from: String
        let to: String
        let customers: Int
    }

    struct Cluster: Equatable {
        let cluster: Int
        let label: String
        let customers: Int
        let recencyDays: Double
        let frequency: Double
        /// In currency units (cluster_profile keeps the mapped-back centre as a real number).
        let monetary: Double
    }

    struct Pair: Equatable {
        let productA: String
        let nameA: String
        let productB: String
        let nameB: String
        let ordersTogether: Int
        let support: Double
        let lift: Double
    }

    /// Net revenue of one calendar month (year × 12 + month − 1); `category` nil = all sales.
    struct MonthRevenue: Equatable {
        let category: String?
        let month: Int
        let revenueMinor: Int64
    }

    struct OfferCount: Equatable {
        let offerType: String
        let channel: String
        let offers: Int
    }

    /// One row of the effectiveness forest plot: the conversion rate of units that got an offer
    /// (treated) minus that of the control group, with its 95% interval. Only cells with units on
    /// both sides have one; `effectsWithoutControl` counts the others.
    struct Effect: Equatable {
        var offerType: String
        var segment: String
        var treated: Int
        var control: Int
        var uplift: Double
        var low: Double
        var high: Double
    }

    var asOf: String
    var kpis = KPISummary()
    /// In segments.csv order (rules, then Others and No Purchases).
    var segments: [SegmentsReport.Row] = []
    var bins = 5
    var rf: [RFCell] = []
    var value: [ValueCell] = []
    /// value_model.json's check of the Gamma-Gamma assumption (nil: not fitted).
    var frequencySpendCorrelation: Double?
    /// The latest as_of before this one in segment_membership; nil on a first run.
    var previousAsOf: String?
    var migration: [Move] = []
    var clusters: [Cluster] = []
    var pairs: [Pair] = []
    /// The as_of of the pair counts (the pairs stage keeps only its latest night); nil if it never ran.
    var pairsAsOf: String?
    var pairsMinCount = 2
    /// The least orders together of the pairs ranked for the report (`TopPairs.orderFloor`).
    var pairsRankMinOrders: Int64 = 0
    var categoryNames: [String: String] = [:]
    /// All sales by month, and each category's by month.
    var monthTotals: [MonthRevenue] = []
    var categoryMonths: [MonthRevenue] = []
    var cohorts: [CohortRetention.Cell] = []
    /// Offers sent (control group excluded), by type and channel.
    var offersSent: [OfferCount] = []
    var controlOffers = 0
    var controlCustomers = 0
    var effects: [Effect] = []
    /// Type × segment cells left out of the chart because one side has no customers.
    var effectsWithoutControl = 0
    /// Failed checks of the measured nights' control groups (effectiveness_checks.csv).
    var effectWarnings: [String] = []
    /// The latest backtest whose horizon ended by as_of; nil without one.
    var backtest: ReportBacktest?

    /// How many product pairs the page lists.
    static let topPairs = 10

    /// Reads the warehouse's part of the page for `asOf`.
    /// - Parameter channels: the pipeline's channel names (offers on others are counted by name, slower).
    static func load(_ db: Database, asOf: String, bins: Int, channels names: [String] = ContactChannel.builtIn.map(\.name)) throws -> ReportData {
        var data = ReportData(asOf: asOf)
        data.bins = bins
        // The moves the latest segment run up to as_of counted (publish may run on a night segment
        // did not), against the run before that one.
        for row in try Row.fetchAll(db, sql: """
            SELECT previous_as_of, from_segment, to_segment, customers FROM segment_migration
            WHERE as_of = (SELECT MAX(as_of) FROM segment_membership WHERE as_of <= ?) ORDER BY from_segment, to_segment
            """, arguments: [asOf]) {
            data.previousAsOf = row[0]
            data.migration.append(Move(from: row[1], to: row[2], customers: row[3]))
        }
        data.clusters = try Row.fetchAll(db, sql: """
            SELECT cluster, label, customers, centroid_recency_days, centroid_frequency, centroid_monetary
            FROM cluster_profile WHERE as_of = ? ORDER BY cluster
            """, arguments: [asOf]).map {
            Cluster(cluster: $0[0], label: $0[1], customers: $0[2], recencyDays: $0[3], frequency: $0[4], monetary: $0[5])
        }
        data.pairsAsOf = try String.fetchOne(db, sql: "SELECT as_of FROM pair_run WHERE kind = 'product'")
        if let document = try String.fetchOne(db, sql: "SELECT document FROM value_model WHERE as_of = \(ValueSchema.figuresAsOf)") {
            var text = document
            let parsed = try text.withUTF8 { try JSONValue.parse($0) }
            if case let .number(correlation)? = parsed["frequency_spend_correlation"] { data.frequencySpendCorrelation = Double(correlation) }
        }
        (data.pairs, data.pairsRankMinOrders) = try TopPairs.byLift(db, limit: topPairs)
        for row in try Row.fetchAll(db, sql: "SELECT category_id, name FROM category") {
            data.categoryNames[row[0]] = row[1]
        }
        // Counted in Swift by type and channel ordinals: a night is two million offers, and SQL's
        // GROUP BY on their texts sorted them all (2 s, against 0.6 s for the scan).
        let types = OfferType.allCases
        var channels = names
        var sent = names.map { _ in [Int](repeating: 0, count: types.count) }
        try RowScan.forEach(db, sql: """
            SELECT CASE offer_type \(OfferType.ordinalCases) END,
                   CASE channel \(names.enumerated().map { "WHEN '\($1)' THEN \($0)" }.joined(separator: " ")) END, holdout, channel
            FROM offer WHERE as_of = '\(asOf)'
            """) { row in
            if row.int64(2) == 1 {
                data.controlOffers += 1
            } else if !row.isNull(0) {
                let channel: Int
                if !row.isNull(1) {
                    channel = Int(row.int64(1))
                } else if let known = channels.firstIndex(of: row.text(3)) {
                    channel = known
                } else {
                    // A channel the pipeline no longer defines, on offers made before the change.
                    channels.append(row.text(3))
                    sent.append([Int](repeating: 0, count: types.count))
                    channel = channels.count - 1
                }
                sent[channel][Int(row.int64(0))] += 1
            }
        }
        for type in types.sorted(by: { $0.rawValue < $1.rawValue }) {
            for (index, channel) in channels.enumerated().sorted(by: { $0.element < $1.element }) where sent[index][type.ordinal] > 0 {
                data.offersSent.append(OfferCount(offerType: type.rawValue, channel: channel, offers: sent[index][type.ordinal]))
            }
        }
        data.controlCustomers = try Int.fetchOne(db, sql: "SELECT control_customers FROM offer_run WHERE as_of = ?", arguments: [asOf]) ?? 0
        data.backtest = try ReportBacktest.load(db, asOf: asOf)
        return data
    }
}
