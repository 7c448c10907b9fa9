import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// Offer effectiveness: the statistics on hand-worked numbers, then generated nights of offers
/// with purchases planted after them at known rates, measured by the publish stage.
@Suite struct EffectivenessTests {
    @Test func proportionDifferenceByHand() throws {
        // 30 of 100 treated, 10 of 100 control: the estimate is 0.2. The interval adds a success
        // and a failure to each group: 31/102 − 11/102 = 0.196078 ± 1.96 × √(p̃T(1−p̃T)/102 + p̃C(1−p̃C)/102)
        // = 0.088417 … 0.303739.
        let interval = try #require(UpliftStatistics.proportionDifference(treatedSuccesses: 30, treated: 100, controlSuccesses: 10, control: 100))
        #expect(abs(interval.estimate - 0.2) < 1e-12)
        #expect(abs(interval.low - 0.08841740961614447) < 1e-12 && abs(interval.high - 0.3037394531289535) < 1e-12)
        // No conversions in either group still leaves a real interval: 1/116 − 1/8 ± … = −0.346168 … 0.113410.
        let none = try #require(UpliftStatistics.proportionDifference(treatedSuccesses: 0, treated: 114, controlSuccesses: 0, control: 6))
        #expect(none.estimate == 0 && abs(none.low + 0.34616827161657937) < 1e-12 && abs(none.high - 0.11340965092692419) < 1e-12)
        #expect(UpliftStatistics.proportionDifference(treatedSuccesses: 3, treated: 10, controlSuccesses: 0, control: 0) == nil)
    }

    @Test func welchMeanDifferenceByHand() throws {
        // Treated 1, 2, 3, 4 (mean 2.5, variance 5/3), control 0, 0, 2 (mean 2/3, variance 4/3):
        // 11/6 ± t(0.975, ν) × √(5/12 + 4/9), ν = (5/12 + 4/9)² / ((5/12)²/3 + (4/9)²/2) = 4.733990;
        // t = 2.614596, half-width 2.426284 (scipy.stats.t.ppf agrees).
        let interval = try #require(UpliftStatistics.meanDifference(treatedSum: 10, treatedSquares: 30, treated: 4,
                                                                    controlSum: 2, controlSquares: 4, control: 3))
        #expect(abs(interval.estimate - 11.0 / 6) < 1e-12)
        #expect(abs(interval.high - interval.estimate - 2.426284274220215) < 1e-9)
        #expect(abs(interval.estimate - interval.low - 2.426284274220215) < 1e-9)
        #expect(UpliftStatistics.meanDifference(treatedSum: 1, treatedSquares: 1, treated: 1, controlSum: 2, controlSquares: 4, control: 3) == nil)
    }

    @Test func studentTAgainstScipy() {
        // scipy.stats.t.ppf(0.975, ν) and t.cdf(−1.3, 3.2).
        for (degrees, expected) in [(1.0, 12.706204736174694), (2.5, 3.5746548420036817), (10, 2.228138851986274),
                                    (1000, 1.9623390808264083)] {
            #expect(abs(StudentT.quantile(0.975, degrees: degrees) - expected) < 1e-9 * expected, "ν = \(degrees)")
        }
        #expect(abs(StudentT.cdf(-1.3, degrees: 3.2) - 0.13965904584712774) < 1e-12)
        #expect(abs(StudentT.quantile(0.025, degrees: 10) + 2.228138851986274) < 1e-9)
    }

    @Test func sampleRatioByHand() throws {
        // 70 of 1000 in control against 5%: expected 50 and 950, χ² = 20²/50 + 20²/950 = 8.421053,
        // p = erfc(√(χ²/2)) = 0.003709 (scipy.stats.chi2.sf(8.421053, 1) agrees).
        let test = try #require(UpliftStatistics.sampleRatio(control: 70, total: 1000, expectedShare: 0.05))
        #expect(abs(test.chiSquare - 8.421052631578947) < 1e-12)
        #expect(abs(test.pValue - 0.0037090099909748058) < 1e-12)
        #expect(UpliftStatistics.sampleRatio(control: 50, total: 1000, expectedShare: 0.05)?.pValue == 1)
    }

    @Test func discountCostRoundsHalfAwayFromZero() {
        #expect(OfferOutcomes.percent(1_005, 10) == 101) // 100.5 → 101
        #expect(OfferOutcomes.percent(1_004, 10) == 100)
        #expect(OfferOutcomes.percent(250_000, 15) == 37_500)
    }

    /// Two nights of offers, 14 days apart, each followed by planted purchases: within the 14-day
    /// window, a treated unit buys its offered item with probability 0.45, a control unit with
    /// 0.15: a planted uplift of 0.30. Publish on the third night has measured both.
    @Test func plantedUpliftIsRecoveredWithinItsInterval() throws {
        let scenario = try PlantedScenario(root: try temporaryFolder(), customers: 2400)
        try scenario.night("2026-08-31")
        try scenario.plant(after: "2026-08-31", treatedRate: 0.45, controlRate: 0.15, seed: 1)
        try scenario.night("2026-09-14")
        try scenario.plant(after: "2026-09-14", treatedRate: 0.45, controlRate: 0.15, seed: 2)
        let result = try scenario.night("2026-09-28")
        #expect(!result.stages.last!.report.summary.contains { $0.hasPrefix("warning:") })

        let table = try readCSV(scenario.root + "/out/effectiveness.csv")
        #expect(table[0] == EffectivenessReport.header)
        let rows = table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(table[0], $0)) }
        // A type × segment can occur on one night only (birthdays, customers who changed segment).
        #expect(rows.allSatisfy { ($0["runs"] == "2" && $0["first_run"] == "2026-08-31" && $0["last_run"] == "2026-09-14")
            || ($0["runs"] == "1" && $0["first_run"] == $0["last_run"]) })
        #expect(rows.filter { $0["runs"] == "2" }.count >= 3)

        // Every unit and conversion against a brute-force count in SQL.
        let reference = try scenario.bruteForce(nights: ["2026-08-31", "2026-09-14"])
        #expect(rows.count == reference.count)
        for row in rows {
            let key = row["offer_type"]! + "|" + row["segment"]!
            let expected = try #require(reference[key], "no reference for \(key)")
            #expect(Int(row["treated"]!) == expected.treated && Int(row["control"]!) == expected.control, "\(key)")
            if expected.treated > 0 {
                #expect(abs(Double(row["conversion_offered_treated"]!)! - Double(expected.treatedConverted) / Double(expected.treated)) < 1e-12, "\(key)")
                #expect(row["revenue_per_treated"] == Money.format(expected.treatedRevenueMinor, dividedBy: Int64(expected.treated)), "\(key)")
            }
            if expected.control > 0 {
                #expect(abs(Double(row["conversion_offered_control"]!)! - Double(expected.controlConverted) / Double(expected.control)) < 1e-12, "\(key)")
            }
        }
        // The largest cells recover the planted 0.30 within their intervals.
        let largest = rows.filter { Int($0["control"]!)! >= 100 }.sorted { Int($0["treated"]!)! > Int($1["treated"]!)! }.prefix(2)
        #expect(largest.count == 2)
        for row in largest {
            let low = Double(row["uplift_offered_low"]!)!, high = Double(row["uplift_offered_high"]!)!
            #expect(low <= 0.30 && 0.30 <= high, "\(row["offer_type"]!) \(row["segment"]!): \(low) … \(high)")
            #expect(high - low < 0.25)
        }
        // Nobody bought anything but the planted items, so revenue per unit and discount cost follow the plants.
        let checks = try readCSV(scenario.root + "/out/effectiveness_checks.csv")
        #expect(checks.count == 3 && checks[1][0] == "2026-08-31" && checks[1][1] == "2026-09-01" && checks[1][2] == "2026-09-14")
        #expect(checks.dropFirst().allSatisfy { $0[9] == "true" && $0[10] == "0" && $0[12] == "true" })

        // A rerun of the last night reads the stored measurements: identical outputs.
        let first = try Data(contentsOf: URL(fileURLWithPath: scenario.root + "/out/effectiveness.csv"))
        try scenario.night("2026-09-28")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scenario.root + "/out/effectiveness.csv")) == first)
        #expect(try scalar(scenario.warehouse, "SELECT COUNT(*) FROM offer_outcome_run") == 2)

        // Publish again for 09-20: the second night's window (09-15 … 09-28) has not closed then,
        // so only the first night is reported, though both are measured.
        try runPipeline(input: scenario.input, root: scenario.root, asOf: "2026-09-20", pipeline: scenario.pipeline, selection: .only("publish"))
        let earlier = try readCSV(scenario.root + "/out/effectiveness_checks.csv")
        #expect(earlier.count == 2 && earlier[1][0] == "2026-08-31")
        #expect(try readCSV(scenario.root + "/out/effectiveness.csv").dropFirst().allSatisfy { $0[3] == "2026-08-31" && $0[4] == "2026-08-31" })

        // Making the first night's offers again (same count, another run) has them measured again.
        try runPipeline(input: scenario.input, root: scenario.root, asOf: "2026-08-31", pipeline: scenario.pipeline, selection: .only("offers"))
        let maker = "SELECT made_by_run FROM offer_run WHERE as_of = '2026-08-31'"
        #expect(try scalar(scenario.warehouse, "SELECT made_by_run FROM offer_outcome_run WHERE as_of = '2026-08-31'") != scalar(scenario.warehouse, maker))
        try runPipeline(input: scenario.input, root: scenario.root, asOf: "2026-09-28", pipeline: scenario.pipeline, selection: .only("publish"))
        #expect(try scalar(scenario.warehouse, "SELECT made_by_run FROM offer_outcome_run WHERE as_of = '2026-08-31'") == scalar(scenario.warehouse, maker))
    }

    /// A control group a third larger than configured and control offers that were sent: both
    /// checks fail, and the run says so.
    @Test func sampleRatioAndContaminationWarnings() throws {
        let scenario = try PlantedScenario(root: try temporaryFolder(), customers: 800)
        try scenario.night("2026-08-31")
        let control = try scalar(scenario.warehouse, "SELECT COUNT(DISTINCT customer_key) FROM offer WHERE as_of = '2026-08-31' AND holdout = 1")
        // Moves a third of the treated customers to control, as a broken sending system's export would.
        try scenario.warehouse.database.write { db in
            try db.execute(sql: """
                UPDATE offer SET holdout = 1 WHERE as_of = '2026-08-31' AND customer_key IN
                  (SELECT customer_key FROM offer WHERE as_of = '2026-08-31' AND holdout = 0 AND customer_key % 3 = 0)
                """)
        }
        let moved = try scalar(scenario.warehouse, "SELECT COUNT(DISTINCT customer_key) FROM offer WHERE as_of = '2026-08-31' AND holdout = 1")
        #expect(moved > control + 50)
        // Channels report deliveries for 20 control customers' offers.
        let delivered = try scenario.warehouse.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.offer_id, c.customer_id FROM offer o JOIN customer c USING (customer_key)
                WHERE o.as_of = '2026-08-31' AND o.holdout = 1 GROUP BY o.customer_key ORDER BY o.customer_key LIMIT 20
                """).map { "\($0[0] as String),\($0[1] as String),delivered,2026-09-01T09:00:00Z," }
        }
        try write("offer_id,customer_id,event,at,order_id\n" + delivered.joined(separator: "\n") + "\n", to: scenario.input + "/offer_events.csv")

        let result = try scenario.night("2026-09-14")
        let warnings = result.stages.last!.report.summary.filter { $0.hasPrefix("warning:") }
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("sample ratio mismatch in the offers of 2026-08-31: \(moved) of") })
        #expect(warnings.contains { $0.contains("control group contaminated in the offers of 2026-08-31: 20 of \(moved) control customers") })
        let checks = try readCSV(scenario.root + "/out/effectiveness_checks.csv")
        #expect(checks.count == 2)
        #expect(checks[1][4] == String(moved) && checks[1][5] == "0.5" && checks[1][9] == "false")
        #expect(checks[1][10] == "20" && checks[1][12] == "false")
        #expect(Double(checks[1][8])! < 0.001)
    }
}

/// A generated retailer with 400 days of history up to 2026-08-31 and nothing after, so every
/// purchase in an attribution window is one the test planted.
struct PlantedScenario {
    let root: String
    var input: String { root + "/input" }
    var pipeline: String { root + "/pipeline.yml" }
    let warehouse: Warehouse

    init(root: String, customers: Int) throws {
        self.root = root
        _ = try RetailDataGenerator.generate(GeneratorOptions(customers: customers, products: 80, orders: customers * 6, seed: 11,
                                                              asOf: "2026-08-31", historyDays: 400), into: root + "/input")
        // No win-back by segment: its "first" rule (win-back before cross-sell for customers no
        // longer buying) gives many customers a win-back and a cross-sell unit at once, whose
        // planted purchases (a category's first product, a partner) then overlap, and the cells
        // stop measuring one planted uplift each.
        try write("timezone: UTC\noffers:\n  holdout_share: 0.5\n  win_back_segments: [Nobody]\npublish:\n  attribution_days: 14\n",
                  to: root + "/pipeline.yml")
        warehouse = try Warehouse(path: root + "/warehouse.sqlite")
    }

    @discardableResult
    func night(_ asOf: String) throws -> RunResult {
        try runPipeline(input: input, root: root, asOf: asOf, pipeline: pipeline)
    }

    /// Appends to transactions.csv one order per planted unit (a customer's offers of one type on
    /// `night`): with the unit's rate, one of its offered items (the product, the category's
    /// first product, or for offers of neither the catalog's first product) on a day of the window.
    func plant(after night: String, treatedRate: Double, controlRate: Double, seed: UInt64) throws {
        let units = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.customer_id, o.offer_type, MAX(o.holdout),
                       (SELECT p.product_id || ',' || p.price_minor FROM product p
                        WHERE (o.product_key IS NOT NULL AND p.product_key = o.product_key)
                           OR (o.product_key IS NULL AND o.category_key IS NOT NULL
                               AND p.category_key IN (SELECT category_key FROM category_ancestor WHERE ancestor_key = o.category_key))
                           OR (o.product_key IS NULL AND o.category_key IS NULL)
                        ORDER BY p.product_id LIMIT 1)
                FROM offer o JOIN customer c USING (customer_key)
                WHERE o.as_of = ? GROUP BY o.customer_key, o.offer_type ORDER BY c.customer_id, o.offer_type
                """, arguments: [night])
        }
        let header = try String(contentsOfFile: input + "/transactions.csv", encoding: .utf8).prefix { $0 != "\n" }
            .split(separator: ",").map(String.init)
        var random = SplitMix64(seed: seed)
        var lines = ""
        let firstDay = CivilDate.parse(night)! + 1
        for (index, unit) in units.enumerated() {
            let rate = (unit[2] as Int) == 1 ? controlRate : treatedRate
            guard Double.random(in: 0..<1, using: &random) < rate else { continue }
            let item = (unit[3] as String).split(separator: ",")
            let fields = ["order_id": "PL-\(night)-\(index)", "customer_id": unit[0] as String,
                          "ordered_at": CivilDate.format(firstDay + Int64(index % 14)) + "T12:00:00Z", "product_id": String(item[0]),
                          "quantity": "1", "unit_price": Money.format(Int64(item[1])!), "discount": "0"]
            lines += header.map { fields[$0] ?? "" }.joined(separator: ",") + "\n"
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: input + "/transactions.csv"))
        handle.seekToEndOfFile()
        handle.write(Data(lines.utf8))
        try handle.close()
    }

    struct Reference {
        var treated = 0, control = 0, treatedConverted = 0, controlConverted = 0
        var treatedRevenueMinor: Int64 = 0
    }

    /// Units, offered-item conversions and revenue per offer type × segment, counted in SQL
    /// straight from the offer, order and membership tables.
    func bruteForce(nights: [String]) throws -> [String: Reference] {
        let list = nights.map { "'\($0)'" }.joined(separator: ",")
        return try warehouse.database.read { db in
            var reference: [String: Reference] = [:]
            for row in try Row.fetchAll(db, sql: """
                WITH unit AS (
                    SELECT as_of, customer_key, offer_type, MAX(holdout) AS holdout FROM offer WHERE as_of IN (\(list))
                    GROUP BY as_of, customer_key, offer_type),
                window_line AS (
                    SELECT u.as_of, u.customer_key, l.product_key, l.quantity, l.amount_minor
                    FROM (SELECT DISTINCT as_of, customer_key FROM unit) u
                    JOIN order_line l ON l.customer_key = u.customer_key
                     AND l.ordered_at >= unixepoch(date(u.as_of, '+1 day')) AND l.ordered_at < unixepoch(date(u.as_of, '+15 day'))),
                converted AS (
                    SELECT DISTINCT o.as_of, o.customer_key, o.offer_type FROM offer o
                    JOIN window_line w ON w.as_of = o.as_of AND w.customer_key = o.customer_key AND w.quantity > 0
                    JOIN product p ON p.product_key = w.product_key
                    WHERE o.product_key = w.product_key
                       OR (o.product_key IS NULL AND o.category_key IN (SELECT ancestor_key FROM category_ancestor a WHERE a.category_key = p.category_key))
                       OR (o.product_key IS NULL AND o.category_key IS NULL)),
                revenue AS (SELECT as_of, customer_key, SUM(amount_minor) AS amount FROM window_line GROUP BY as_of, customer_key)
                SELECT u.offer_type, m.segment, u.holdout, COUNT(*), COUNT(c.customer_key), COALESCE(SUM(r.amount), 0)
                FROM unit u JOIN segment_membership m ON m.as_of = u.as_of AND m.customer_key = u.customer_key
                LEFT JOIN converted c ON c.as_of = u.as_of AND c.customer_key = u.customer_key AND c.offer_type = u.offer_type
                LEFT JOIN revenue r ON r.as_of = u.as_of AND r.customer_key = u.customer_key
                GROUP BY u.offer_type, m.segment, u.holdout
                """) {
                let key = (row[0] as String) + "|" + (row[1] as String)
                if (row[2] as Int) == 1 {
                    reference[key, default: Reference()].control = row[3]
                    reference[key, default: Reference()].controlConverted = row[4]
                } else {
                    reference[key, default: Reference()].treated = row[3]
                    reference[key, default: Reference()].treatedConverted = row[4]
                    reference[key, default: Reference()].treatedRevenueMinor = row[5]
                }
            }
            return reference
        }
    }
}
