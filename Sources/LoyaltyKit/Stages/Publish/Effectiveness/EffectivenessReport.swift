import GRDB

/// effectiveness.csv and effectiveness_checks.csv: the measured nights of the horizon pooled per
/// offer type × segment, treated against control, and each night's checks of its control group.
struct EffectivenessReport {
    struct Row: Equatable {
        let offerType: String
        let segment: String
        var runs = 0
        var firstRun = ""
        var lastRun = ""
        var treated = OfferOutcomes.Sums()
        var control = OfferOutcomes.Sums()

        var upliftOffered: UpliftStatistics.Interval? {
            UpliftStatistics.proportionDifference(treatedSuccesses: treated.convertedOffered, treated: treated.units,
                                                  controlSuccesses: control.convertedOffered, control: control.units)
        }
        var upliftAny: UpliftStatistics.Interval? {
            UpliftStatistics.proportionDifference(treatedSuccesses: treated.convertedAny, treated: treated.units,
                                                  controlSuccesses: control.convertedAny, control: control.units)
        }
        /// Revenue per unit, treated − control, in minor units.
        var revenueUplift: UpliftStatistics.Interval? {
            UpliftStatistics.meanDifference(treatedSum: Double(treated.revenueMinor), treatedSquares: treated.revenueSquares, treated: treated.units,
                                            controlSum: Double(control.revenueMinor), controlSquares: control.revenueSquares, control: control.units)
        }
        /// (treated mean − control mean) × treated units: what the treated earned beyond what
        /// they would have without the offer, by the control's estimate.
        func incremental(_ figure: (OfferOutcomes.Sums) -> Int64) -> Int64? {
            guard treated.units > 0, control.units > 0 else { return nil }
            let perUnit = Double(figure(treated)) / Double(treated.units) - Double(figure(control)) / Double(control.units)
            return Int64((perUnit * Double(treated.units)).rounded())
        }
        var netMarginMinor: Int64? { incremental(\.marginMinor).map { $0 - treated.discountCostMinor } }
        /// Net incremental margin per unit of discount spent.
        var roi: Double? {
            guard let net = netMarginMinor, treated.discountCostMinor > 0 else { return nil }
            return Double(net) / Double(treated.discountCostMinor)
        }
    }

    struct Check: Equatable {
        let asOf: String
        let windowFrom: String
        let windowTo: String
        let offeredCustomers: Int
        let controlCustomers: Int
        let holdoutShare: Double?
        let controlDeliveredCustomers: Int

        var sampleRatio: (chiSquare: Double, pValue: Double)? {
            holdoutShare.flatMap { UpliftStatistics.sampleRatio(control: controlCustomers, total: offeredCustomers, expectedShare: $0) }
        }
        var contaminationShare: Double? { controlCustomers > 0 ? Double(controlDeliveredCustomers) / Double(controlCustomers) : nil }
    }

    var rows: [Row] = []
    var checks: [Check] = []

    /// The nights made within `horizonDays` up to `asOf`, measured with `windowDays`, whose window
    /// has closed by `asOf` (a rerun of an earlier as_of must not see later purchases).
    /// Rows come in offer-type order, then in `segmentOrder` (others after, by name).
    static func load(_ db: Database, asOf: Int64, windowDays: Int, horizonDays: Int, segmentOrder: [String]) throws -> EffectivenessReport {
        let closed = """
            SELECT as_of FROM offer_outcome_run WHERE attribution_days = ? AND as_of BETWEEN ? AND ? AND window_to <= ?
            """
        let bounds: StatementArguments = [windowDays, windowDays, CivilDate.format(asOf - Int64(horizonDays) + 1), CivilDate.format(asOf),
                                          CivilDate.format(asOf)]
        var report = EffectivenessReport()
        var rowIndex: [String: Int] = [:]
        for row in try GRDB.Row.fetchAll(db, sql: """
            SELECT offer_type, segment, COUNT(DISTINCT as_of), MIN(as_of), MAX(as_of) FROM offer_outcome
            WHERE attribution_days = ? AND as_of IN (\(closed)) GROUP BY offer_type, segment
            """, arguments: bounds) {
            rowIndex[(row[0] as String) + "\u{0}" + (row[1] as String)] = report.rows.count
            report.rows.append(Row(offerType: row[0], segment: row[1], runs: row[2], firstRun: row[3], lastRun: row[4]))
        }
        for row in try GRDB.Row.fetchAll(db, sql: """
            SELECT offer_type, segment, holdout, SUM(units), SUM(converted_offered), SUM(converted_any), SUM(revenue_minor),
                   SUM(revenue_squares), SUM(margin_minor), SUM(discount_cost_minor)
            FROM offer_outcome WHERE attribution_days = ? AND as_of IN (\(closed)) GROUP BY offer_type, segment, holdout
            """, arguments: bounds) {
            guard let index = rowIndex[(row[0] as String) + "\u{0}" + (row[1] as String)] else { continue }
            let sums = OfferOutcomes.Sums(units: row[3], convertedOffered: row[4], convertedAny: row[5], revenueMinor: row[6],
                                          revenueSquares: row[7], marginMinor: row[8], discountCostMinor: row[9])
            if (row[2] as Int) == 1 { report.rows[index].control = sums } else { report.rows[index].treated = sums }
        }
        let typeOrder = Dictionary(uniqueKeysWithValues: OfferType.allCases.map { ($0.rawValue, $0.ordinal) })
        let segmentRank = Dictionary(segmentOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        report.rows.sort {
            let a = (typeOrder[$0.offerType] ?? Int.max, $0.offerType, segmentRank[$0.segment] ?? Int.max, $0.segment)
            let b = (typeOrder[$1.offerType] ?? Int.max, $1.offerType, segmentRank[$1.segment] ?? Int.max, $1.segment)
            return a < b
        }
        report.checks = try GRDB.Row.fetchAll(db, sql: """
            SELECT as_of, window_from, window_to, offered_customers, control_customers, holdout_share, control_delivered_customers
            FROM offer_outcome_run WHERE attribution_days = ? AND as_of IN (\(closed)) ORDER BY as_of
            """, arguments: bounds).map { row in
            Check(asOf: row[0], windowFrom: row[1], windowTo: row[2], offeredCustomers: row[3], controlCustomers: row[4],
                  holdoutShare: row[5], controlDeliveredCustomers: row[6])
        }
        return report
    }

    /// What an on-call engineer must look at: nights whose control group is not the configured
    /// share (sample-ratio mismatch) or was sent offers (contamination). Either makes the uplift
    /// of those nights unreliable.
    func warnings(config: PublishConfig) -> [String] {
        var warnings: [String] = []
        for check in checks {
            if let ratio = check.sampleRatio, ratio.pValue < config.srmAlpha, let expected = check.holdoutShare {
                warnings.append("sample ratio mismatch in the offers of \(check.asOf): \(check.controlCustomers) of \(check.offeredCustomers) "
                    + "offered customers are in the control group (\(Self.percentText(Double(check.controlCustomers) / Double(check.offeredCustomers)))), "
                    + "configured \(Self.percentText(expected)); χ² \(NumberFormat.shortest(ratio.chiSquare)), p \(NumberFormat.shortest(ratio.pValue)) "
                    + "< \(NumberFormat.shortest(config.srmAlpha)). Their uplift is not reliable: check how the control group was drawn and "
                    + "whether offers were added or removed after the offers stage")
            }
            if let share = check.contaminationShare, share > config.contaminationTolerance {
                warnings.append("control group contaminated in the offers of \(check.asOf): \(check.controlDeliveredCustomers) of "
                    + "\(check.controlCustomers) control customers (\(Self.percentText(share))) had an offer delivered, more than the "
                    + "tolerated \(Self.percentText(config.contaminationTolerance)). Control offers must not be sent: check that the "
                    + "sending system skips rows with holdout = 1")
            }
        }
        return warnings
    }

    private static func percentText(_ share: Double) -> String {
        NumberFormat.shortest((share * 10_000).rounded() / 100) + "%"
    }

    static let header = [
        "offer_type", "segment", "runs", "first_run", "last_run", "treated", "control",
        "conversion_offered_treated", "conversion_offered_control", "uplift_offered", "uplift_offered_low", "uplift_offered_high",
        "conversion_any_treated", "conversion_any_control", "uplift_any", "uplift_any_low", "uplift_any_high",
        "revenue_per_treated", "revenue_per_control", "revenue_uplift", "revenue_uplift_low", "revenue_uplift_high",
        "incremental_revenue", "incremental_margin", "discount_cost", "net_incremental_margin", "roi",
    ]

    static let checksHeader = [
        "as_of", "window_from", "window_to", "offered_customers", "control_customers", "expected_control_share", "observed_control_share",
        "srm_chi_square", "srm_p_value", "srm_ok", "control_delivered_customers", "contamination_share", "contamination_ok",
    ]

    func write(to outputs: OutputFolder, config: PublishConfig) throws {
        _ = try outputs.writeCSV("effectiveness.csv", header: Self.header) { csv in
            for row in rows {
                try csv.text(row.offerType)
                try csv.text(row.segment)
                try csv.integer(row.runs)
                try csv.raw(row.firstRun)
                try csv.raw(row.lastRun)
                try csv.integer(row.treated.units)
                try csv.integer(row.control.units)
                for (interval, treated, control) in [(row.upliftOffered, row.treated.convertedOffered, row.control.convertedOffered),
                                                     (row.upliftAny, row.treated.convertedAny, row.control.convertedAny)] {
                    try csv.real(Self.rate(treated, row.treated.units))
                    try csv.real(Self.rate(control, row.control.units))
                    try csv.real(interval?.estimate)
                    try csv.real(interval?.low)
                    try csv.real(interval?.high)
                }
                try csv.money(row.treated.units > 0 ? row.treated.revenueMinor : nil, dividedBy: Int64(max(row.treated.units, 1)))
                try csv.money(row.control.units > 0 ? row.control.revenueMinor : nil, dividedBy: Int64(max(row.control.units, 1)))
                let revenue = row.revenueUplift
                for value in [revenue?.estimate, revenue?.low, revenue?.high] { try csv.money(value.map { Int64($0.rounded()) }) }
                try csv.money(row.incremental(\.revenueMinor))
                try csv.money(row.incremental(\.marginMinor))
                try csv.money(row.treated.discountCostMinor)
                try csv.money(row.netMarginMinor)
                try csv.real(row.roi)
                try csv.endRow()
            }
        }
        _ = try outputs.writeCSV("effectiveness_checks.csv", header: Self.checksHeader) { csv in
            for check in checks {
                try csv.raw(check.asOf)
                try csv.raw(check.windowFrom)
                try csv.raw(check.windowTo)
                try csv.integer(check.offeredCustomers)
                try csv.integer(check.controlCustomers)
                try csv.real(check.holdoutShare)
                try csv.real(Self.rate(check.controlCustomers, check.offeredCustomers))
                let ratio = check.sampleRatio
                try csv.real(ratio?.chiSquare)
                try csv.real(ratio?.pValue)
                try csv.raw(ratio.map { $0.pValue >= config.srmAlpha ? "true" : "false" })
                try csv.integer(check.controlDeliveredCustomers)
                try csv.real(check.contaminationShare)
                try csv.raw(check.contaminationShare.map { $0 <= config.contaminationTolerance ? "true" : "false" })
                try csv.endRow()
            }
        }
    }

    private static func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}
