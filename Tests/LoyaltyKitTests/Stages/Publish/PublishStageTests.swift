import Foundation
import Testing
@testable import LoyaltyKit

/// The publish reports on hand-made deliveries, every figure worked out by hand.
@Suite struct PublishStageTests {
    func kpis(_ root: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/out/kpi_summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    @Test func kpiSummaryOfTheSegmentCase() throws {
        // As of 2026-11-21, all history. C1: O1 100, O2 50 (11-20), O3 30 (11-01), O11 −5 (a net
        // return) → 3 orders. C2: O4 40 (10-22), O5 −40 → 1. C3: only a return (−20). C4: nothing.
        // C5: O8 500 (2025-11-21; O7 is after as_of). C6: O9 6 − 1 discount = 5. Anonymous O10 99.
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/segment"), root: root)
        let kpis = try kpis(root)
        #expect(kpis["as_of"] as? String == "2026-11-21" && kpis["period_from"] is NSNull)
        #expect(number(kpis["customers"]) == 6 && number(kpis["buyers"]) == 4)
        // Active: last order within 90 days (C1 1 day, C2 30, C6 0; C5 365 is not). New: first
        // order on or after 2026-10-23 (C1 11-01, C6 11-21; C2 10-22 is a day early).
        #expect(number(kpis["active_customers"]) == 3 && number(kpis["new_customers"]) == 2)
        // Revenue nets every line of the window, returns and the anonymous order included:
        // 100 + 50 + 30 − 5 + 40 − 40 − 20 + 500 + 5 + 99 = 759; 7 orders of positive amount.
        #expect(number(kpis["revenue"]) == 759 && number(kpis["orders"]) == 7)
        #expect(number(kpis["average_check"]) == 108.43) // 759 / 7 = 108.428…
        #expect(number(kpis["purchase_frequency"]) == 1.5 && number(kpis["repeat_rate"]) == 0.25) // (3+1+1+1)/4; C1 of 4
        // Activity: C1 2 days of 21 (11-01 … 11-21), C2 1 of 31, C5 1 of 366, C6 1 of 1.
        let activity = (2.0 / 21 + 1.0 / 31 + 1.0 / 366 + 1.0) / 4
        #expect(abs((number(kpis["mean_activity_coefficient"]) ?? 0) - activity) < 1e-12)
        #expect(number(kpis["bonus_earned"]) == 0 && number(kpis["bonus_spent"]) == 0)

        let report = try readCSV(root + "/out/segments_report.csv")
        #expect(report[0] == ["segment", "rule", "customers", "share_customers", "revenue", "share_revenue", "avg_recency_days", "avg_frequency",
                              "avg_monetary", "avg_order_value", "avg_activity_coefficient", "action", "clv", "avg_clv", "avg_p_alive"])
        let rows = Dictionary(uniqueKeysWithValues: report.dropFirst().map { ($0[0], $0) })
        #expect(report.dropFirst().reduce(0) { $0 + Int($1[2])! } == 6)
        // C3 (a return of 20.00) and C4 have no order of positive amount.
        let none = try #require(rows["No Purchases"])
        #expect(none[1] == "no order of positive amount in the window" && none[2] == "2" && none[4] == "-20.00")
        #expect(none[11] == "Convert: welcome offer with bestsellers")
        #expect(rows["Champions"]?[1] == "r 5–5, f 5–5, m 5–5")
        // Customer value: one customer with a second purchase day is too few for spend, so no CLV;
        // C5 (Lost) bought once: P(alive) 1 as the model has it. No Purchases has no value figures.
        #expect(report.dropFirst().allSatisfy { $0[12] == "" && $0[13] == "" })
        #expect(rows["Lost"]?[14] == "1.0" && none[14] == "")

        // Cohorts by first month: C5 2025-11 (then nothing: O7 is after as_of), C2 2026-10 (not
        // again in November), C1 and C6 2026-11. Every month up to November 2026 is listed.
        let cohorts = try readCSV(root + "/out/cohort_retention.csv").dropFirst()
        #expect(cohorts.count == 13 + 2 + 1)
        #expect(cohorts.filter { $0[3] != "0" }.map { $0.joined(separator: ",") } == [
            "2025-11,1,0,1,1.0", "2026-10,1,0,1,1.0", "2026-11,2,0,2,1.0",
        ])
        #expect(cohorts.contains(["2026-10", "1", "1", "0", "0.0"]))

        // Orders of positive amount by local weekday and hour: O1 Fri 10h, O2 Fri 15h, O3 Sun 9h,
        // O4 Thu 12h, O8 Fri 8h (2025-11-21), O9 Sat 23h.
        let hours = try readCSV(root + "/out/contact_hours.csv").dropFirst()
        let all = hours.filter { $0[0] == "All customers" }
        #expect(all.count == 7 * 24)
        #expect(Set(all.filter { $0[3] != "0" }.map { "\($0[1]) \($0[2])" }) == ["5 10", "5 15", "7 9", "4 12", "5 8", "6 23"])
        #expect(all.filter { $0[3] != "0" }.allSatisfy { $0[3] == "1" && $0[4] == NumberFormat.shortest(1.0 / 6) })
        #expect(hours.filter { $0[0] != "All customers" }.reduce(0) { $0 + Int($1[3])! } == 6)

        // One list per segment with members, personal data readable by the owner only.
        let noPurchases = root + "/out/lists/no_purchases.csv"
        #expect(try readCSV(noPurchases) == [
            ["customer_id", "first_name", "email", "phone", "consent_email", "consent_sms", "consent_push", "recency_days", "frequency", "monetary"],
            ["C3", "Three", "", "", "0", "0", "0", "", "0", "-20.00"], ["C4", "Four", "", "", "0", "0", "0", "", "0", "0.00"],
        ])
        let mode = try FileManager.default.attributesOfItem(atPath: noPurchases)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(SegmentLists.fileName("Can't Lose Them") == "lists/cant_lose_them.csv")

        // Product A is every line: 760 units net (O11 and the returns subtract), revenue 759.00.
        // Orders it was bought in (a line of positive quantity): O1, O2, O3, O11 (20 bought, 25
        // returned), O4, O8, O9 and the anonymous O10, worth 100 + 50 + 30 − 5 + 40 + 500 + 5 + 99
        // = 819, so 102.38 on average (102.375, half away from zero). Buyers C1 (on three days),
        // C2, C5, C6: one of four buys again. The same figures as enrich's product facts.
        let product = try readCSV(root + "/out/product_kpis.csv")
        #expect(Array(product[1].prefix(9)) == ["A", "Item A", "ALL", "760", "759.00", "8", "102.38", "4", "0.25"])
        // What known customers paid when they bought it, by segment: C1 100 + 50 + 30 + 20 = 200,
        // C2 40, C5 500, C6 5 (745 in all); C3 only returned.
        let segmentOf = Dictionary(uniqueKeysWithValues: try readCSV(root + "/out/customers_rfm.csv").dropFirst().map { ($0[0], $0[10]) })
        var bySegment: [String: Int] = [:]
        for (customer, amount) in [("C1", 200), ("C2", 40), ("C5", 500), ("C6", 5)] { bySegment[segmentOf[customer]!, default: 0] += amount }
        let top = bySegment.max { $0.value < $1.value }!
        #expect(product[1][9] == top.key && product[1][10] == NumberFormat.shortest(Double(top.value) / 745))
        // One category (ALL) by month: 2025-11 O8; 2026-10 O4 and its return O5 (net 0, one order
        // of positive amount); 2026-11 O1 100, O2 50, O3 30, O11 −5, O6 −20, O9 5, O10 99.
        #expect(try readCSV(root + "/out/category_month.csv") == [
            ["category_id", "month", "revenue", "units", "orders", "share_of_month"],
            ["ALL", "2025-11", "500.00", "500", "1", "1.0"], ["ALL", "2026-10", "0.00", "0", "1", ""],
            ["ALL", "2026-11", "259.00", "260", "5", "1.0"],
        ])
        let shares = try readCSV(root + "/out/product_segments.csv").dropFirst()
        #expect(Dictionary(uniqueKeysWithValues: shares.map { ($0[1], $0[2]) }) == bySegment.filter { $0.value != 0 }.mapValues { Money.format(Int64($0) * 10_000) })
    }

    @Test func bonusesWindowsAndActionsFromTheConfig() throws {
        let root = try temporaryFolder()
        let input = root + "/in"
        try write("category_id,parent_id,name\nALL,,Everything\n", to: input + "/categories.csv")
        try write("product_id,name,category_id,price\nA,Item A,ALL,10.00\n", to: input + "/products.csv")
        try write("customer_id,first_name\nC1,One\nC2,Two\n", to: input + "/customers.csv")
        try write("""
            order_id,customer_id,ordered_at,product_id,quantity,unit_price,discount,store_id,channel,bonus_earned,bonus_spent
            O1,C1,2026-11-20T10:00:00Z,A,2,10.00,,,,1.00,0.50
            O2,C2,2026-11-01T10:00:00Z,A,1,10.00,,,,0.50,
            O3,,2026-11-21T10:00:00Z,A,1,5.00,,,,,
            O4,C1,2026-11-10T10:00:00Z,A,1,10.00,,,,,

            """, to: input + "/transactions.csv")
        try write("""
            timezone: UTC
            publish:
              active_days: 10
              new_days: 15
              segment_actions:
                No Purchases: Send the welcome mail
            """, to: root + "/p.yml")
        try runPipeline(input: input, root: root, pipeline: root + "/p.yml")
        let kpis = try kpis(root)
        // Active within 10 days: C1 (1 day), not C2 (20). New since 2026-11-07: C1 (first 11-10), not C2.
        #expect(number(kpis["active_customers"]) == 1 && number(kpis["new_customers"]) == 1)
        #expect(number(kpis["active_days"]) == 10 && number(kpis["new_days"]) == 15)
        // 20 + 10 + 5 + 10 = 45 in 4 orders; C1 2 orders, C2 1.
        #expect(number(kpis["revenue"]) == 45 && number(kpis["orders"]) == 4 && number(kpis["average_check"]) == 11.25)
        #expect(number(kpis["purchase_frequency"]) == 1.5 && number(kpis["repeat_rate"]) == 0.5)
        #expect(number(kpis["bonus_earned"]) == 1.5 && number(kpis["bonus_spent"]) == 0.5)
        let report = try readCSV(root + "/out/segments_report.csv")
        #expect(report.first { $0[0] == "No Purchases" }?[11] == "Send the welcome mail")
    }

    /// The reports read the aggregates: maintained over two nights of the demo (the second
    /// re-delivers every order), or rebuilt from the order lines, they give the same reports byte
    /// for byte. In a zone with daylight saving time, so local days and hours move in the year.
    @Test func maintainedAndRebuiltAggregatesGiveTheSameReports() throws {
        let root = try temporaryFolder()
        try write("timezone: Europe/Berlin\n", to: root + "/berlin.yml")
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-07", pipeline: root + "/berlin.yml")
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-21", pipeline: root + "/berlin.yml")
        let settings = try RunSettings.resolve(RunOptions(pipeline: root + "/berlin.yml", input: fixture("demo"), asOf: "2026-11-21",
                                                          out: root + "/split", warehouse: root + "/warehouse.sqlite"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try AggregateVerification.run(warehouse)?.differences == [])
        let clock = try ZoneClock(identifier: "Europe/Berlin")
        let window = FiguresWindow(asOf: settings.asOf, lookbackDays: nil, clock: clock)
        #expect(try AggregateMaintenance(window: window, timezone: "Europe/Berlin").rebuild(warehouse).rebuilt)
        _ = try PipelineRunner(stages: [PublishStage()], logger: quietLogger).run(settings: settings, selection: .all, command: "test")
        let reports = ["kpi_summary.json", "segments_report.csv", "product_kpis.csv", "product_segments.csv", "category_month.csv",
                       "cohort_retention.csv", "contact_hours.csv", "effectiveness.csv", "effectiveness_checks.csv", "report.html"]
        for name in reports {
            let whole = try Data(contentsOf: URL(fileURLWithPath: root + "/out/" + name))
            let split = try Data(contentsOf: URL(fileURLWithPath: root + "/split/" + name))
            #expect(whole == split, "\(name) differs")
            #expect(whole.count > 100, "\(name) is nearly empty")
        }
    }
}
