import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// customer_value.csv and value_model.json from the segment stage.
@Suite struct CustomerValueStageTests {
    func rows(_ path: String) throws -> [String: [String: String]] {
        let table = try readCSV(path)
        return Dictionary(uniqueKeysWithValues: table.dropFirst().map { ($0[0], Dictionary(uniqueKeysWithValues: zip(table[0], $0))) })
    }

    func model(_ path: String) throws -> JSONValue {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) }
    }

    func number(_ value: JSONValue?) -> Double? {
        guard case let .number(text)? = value else { return nil }
        return Double(text)
    }

    /// `fixtures/cases/segment` (as_of 2026-11-21), by hand: C1 bought on Nov 1 (30) and Nov 20
    /// (100 + 50; O11 on Nov 5 nets −5, no purchase) → x = 1, tₓ = 19, T = 20, spend per repeat
    /// day 150. C2 (Oct 22) x = 0, T = 30; C5 (a year before) T = 365; C6 on as_of, T = 0.
    /// C3 (a return only) and C4 (no order) have no purchase: every model figure empty.
    /// One customer with a second purchase day is too few for Gamma-Gamma: no spend, no CLV.
    @Test func handWorkedInputsAndFiguresFromTheFittedModel() throws {
        let root = try temporaryFolder()
        let result = try runPipeline(input: fixture("cases/segment"), root: root)
        let customers = try rows(root + "/out/customer_value.csv")
        #expect(customers.count == 6)
        let inputs: [String: (String, String, String)] = [
            "C1": ("1", "19", "20"), "C2": ("0", "0", "30"), "C3": ("", "", ""), "C4": ("", "", ""), "C5": ("0", "0", "365"), "C6": ("0", "0", "0"),
        ]
        for (id, (x, tx, age)) in inputs {
            let row = try #require(customers[id])
            #expect([row["repeat_purchases"], row["t_x_days"], row["t_days"]] == [x, tx, age], "\(id)")
            #expect(row["expected_order_value"] == "" && row["clv"] == "" && row["clv_decile"] == "", "\(id)")
        }
        for id in ["C3", "C4"] { #expect(customers[id]?["p_alive"] == "" && customers[id]?["expected_purchases"] == "") }
        for id in ["C2", "C5", "C6"] { #expect(customers[id]?["p_alive"] == "1.0") }

        // C1's figures are the model's, at the parameters value_model.json reports.
        let document = try model(root + "/out/value_model.json")
        let bgnbd = try #require(document["bgnbd"])
        let fitted = BetaGeometricNBD(r: try #require(number(bgnbd["r"])), alpha: try #require(number(bgnbd["alpha"])),
                                      a: try #require(number(bgnbd["a"])), b: try #require(number(bgnbd["b"])))
        let c1 = BetaGeometricNBD.Customer(repeatPurchases: 1, lastPurchase: 19, age: 20)
        #expect(customers["C1"]?["p_alive"] == NumberFormat.shortest(fitted.probabilityAlive(c1)))
        #expect(customers["C1"]?["expected_purchases"] == NumberFormat.shortest(try #require(fitted.expectedPurchases(c1, during: 365))))
        #expect(number(bgnbd["customers"]) == 4)
        #expect(document["gamma_gamma"]?["p"] == .null)
        #expect(number(document["gamma_gamma"]?["customers"]) == 0)
        let summary = result.stages.first { $0.name == "segment" }?.report.summary ?? []
        #expect(summary.contains { $0.contains("spend per purchase not fitted") })

        // Kept in the warehouse under its as_of.
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM customer_value WHERE as_of = '2026-11-21'") == 6)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM value_model WHERE as_of = '2026-11-21' AND r IS NOT NULL AND p IS NULL") == 1)
    }

    /// On the demo delivery: x, tₓ and T agree with a brute-force count over the order lines, CLV
    /// is the discounted expected purchases × expected spend × margin share, and deciles rank it.
    @Test func demoFiguresAgreeWithTheOrderLinesAndTheModel() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root)
        let customers = try rows(root + "/out/customer_value.csv")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        // Purchase days per customer from order lines: local (UTC) days of orders with positive net.
        let asOf = CivilDate.days(year: 2026, month: 11, day: 21)
        let brute = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.customer_id, COUNT(DISTINCT o.day) - 1, MAX(o.day) - MIN(o.day), ? - MIN(o.day)
                FROM (SELECT order_key, MIN(customer_key) AS customer_key, MIN(ordered_at) / 86400 AS day, SUM(amount_minor) AS net
                      FROM order_line WHERE ordered_at < ? GROUP BY order_key) o
                JOIN customer c ON c.customer_key = o.customer_key WHERE o.net > 0 GROUP BY c.customer_id
                """, arguments: [asOf, (asOf + 1) * 86_400])
        }
        #expect(brute.count > 100)
        for row in brute {
            let id: String = row[0]
            let csv = try #require(customers[id])
            #expect([csv["repeat_purchases"], csv["t_x_days"], csv["t_days"]] == [String(row[1] as Int), String(row[2] as Int), String(row[3] as Int)], "\(id)")
        }
        #expect(customers.values.filter { $0["t_days"] != "" }.count == brute.count)

        let document = try model(root + "/out/value_model.json")
        let (bg, gg) = (try #require(document["bgnbd"]), try #require(document["gamma_gamma"]))
        #expect(bg["converged"] == .bool(true) && gg["converged"] == .bool(true))
        let purchasing = BetaGeometricNBD(r: number(bg["r"])!, alpha: number(bg["alpha"])!, a: number(bg["a"])!, b: number(bg["b"])!)
        let spending = GammaGammaSpend(p: number(gg["p"])!, q: number(gg["q"])!, v: number(gg["v"])!)
        let margin = try #require(number(document["margin_share"]))
        // CLV by its definition: 30-day steps to 365 days, each discounted at 10 % a year from its end.
        let ends = Array(stride(from: 30, to: 365, by: 30)) + [365]
        let repeatSpend = try warehouse.database.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT c.customer_id, a.repeat_net_minor FROM agg_customer a JOIN customer c USING (customer_key)
                """).map { ($0[0] as String, $0[1] as Int64) })
        }
        var checked = 0
        for (id, row) in customers where row["t_days"] != "" {
            let x = Double(row["repeat_purchases"]!)!
            let customer = BetaGeometricNBD.Customer(repeatPurchases: x, lastPurchase: Double(row["t_x_days"]!)!, age: Double(row["t_days"]!)!)
            var previous = 0.0, discounted = 0.0
            for end in ends {
                let expected = try #require(purchasing.expectedPurchases(customer, during: Double(end)))
                discounted += (expected - previous) / pow(1.1, Double(end) / 365)
                previous = expected
            }
            let mean = x > 0 ? Double(repeatSpend[id]!) / 10_000 / x : 0
            let spend = try #require(spending.expectedSpend(purchases: x, meanAmount: mean))
            #expect(abs(Double(row["expected_order_value"]!)! - spend) <= 0.005 + 1e-9, "\(id)")
            #expect(abs(Double(row["clv"]!)! - discounted * spend * margin) <= 0.005 + 1e-9, "\(id)")
            checked += 1
        }
        #expect(checked == brute.count)

        // Deciles: 1 … 10, never lower for a higher CLV, about a tenth each.
        let ranked = customers.values.compactMap { row -> (Double, Int)? in
            guard let clv = Double(row["clv"] ?? ""), let decile = Int(row["clv_decile"] ?? "") else { return nil }
            return (clv, decile)
        }.sorted { $0.0 < $1.0 }
        #expect(ranked.count == brute.count)
        #expect(ranked.first?.1 == 1 && ranked.last?.1 == 10)
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.1 <= $1.1 })
        let top = ranked.filter { $0.1 == 10 }.count
        #expect(abs(Double(top) - Double(ranked.count) / 10) <= 2)

        // The offers' chance of a purchase within the 14 days the offers are valid: P(alive) ×
        // (1 − ((α+T)/(α+T+14))^(r+x)), and for one customer against the model's own expectation
        // over a tiny window (where P(≥ 1 purchase) ≈ E[purchases]).
        let figures = try warehouse.database.read { db in try OfferInputs.loadValue(db, customerKey: nil, validDays: 14) }
        let keys = try warehouse.database.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT customer_id, customer_key FROM customer").map { ($0[0] as String, $0[1] as Int64) })
        }
        for (id, row) in customers where row["t_days"] != "" {
            let x = Double(row["repeat_purchases"]!)!, age = Double(row["t_days"]!)!
            let chance = try #require(figures[keys[id]!]?.purchaseChance)
            let expected = Double(row["p_alive"]!)! * (1 - pow((purchasing.alpha + age) / (purchasing.alpha + age + 14), purchasing.r + x))
            #expect(abs(chance - expected) < 1e-12, "\(id)")
            #expect(chance > 0 && chance < 1)
        }
        // Customers without a purchase in the window: a newcomer's chance, 1 − (α/(α+14))^r.
        let newcomer = 1 - pow(purchasing.alpha / (purchasing.alpha + 14), purchasing.r)
        for (id, row) in customers where row["t_days"] == "" {
            #expect(figures[keys[id]!]?.purchaseChance.map { abs($0 - newcomer) < 1e-15 } == true, "\(id)")
        }
        #expect(figures.values.allSatisfy { $0.trusted })
        let one = BetaGeometricNBD.Customer(repeatPurchases: 3, lastPurchase: 50, age: 80)
        let tiny = 1e-4
        let alive = purchasing.probabilityAlive(one)
        let chance = alive * (1 - pow((purchasing.alpha + 80) / (purchasing.alpha + 80 + tiny), purchasing.r + 3))
        #expect(abs(chance - (try #require(purchasing.expectedPurchases(one, during: tiny)))) < 1e-9)
    }
}
