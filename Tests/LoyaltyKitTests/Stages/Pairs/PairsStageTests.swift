import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// `fixtures/cases/pairs` is the contract's worked example as orders, plus what must not count:
/// a duplicate Eggs line in T2, T3 anonymous (counts), a return order R1 (negative lines: no basket)
/// and an order after as_of (L1).
@Suite struct PairsStageTests {
    let delivery = fixture("cases/pairs")

    @Test func workedExampleThroughTheWholePipeline() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root, pipeline: delivery + "/pairs.yml")
        let rows = try readCSV(root + "/out/product_pairs.csv")
        let support: Double = 0.6, product: Double = 0.8 * 0.6, conviction: Double = (1 - 0.6) / (1 - 0.75)
        let eggsOnionLeverage = "\(support - product)", eggsOnionConviction = "\(conviction)"
        #expect(rows[0] == ["product_a", "product_b", "orders_together", "support", "confidence_a_b", "confidence_b_a", "lift",
                            "leverage", "conviction_a_b", "conviction_b_a", "jaccard", "kulczynski"])
        #expect(Array(rows.dropFirst()) == [
            ["Eggs", "Kidney Beans", "4", "0.8", "1.0", "0.8", "1.0", "0.0", "", "1.0", "0.8", "0.9"],
            ["Eggs", "Onion", "3", "0.6", "0.75", "1.0", "1.25", eggsOnionLeverage, eggsOnionConviction, "", "0.75", "0.875"],
            ["Kidney Beans", "Milk", "3", "0.6", "0.6", "1.0", "1.0", "0.0", "1.0", "", "0.6", "0.8"],
            ["Kidney Beans", "Onion", "3", "0.6", "0.6", "1.0", "1.0", "0.0", "1.0", "", "0.6", "0.8"],
            ["Kidney Beans", "Yogurt", "3", "0.6", "0.6", "1.0", "1.0", "0.0", "1.0", "", "0.6", "0.8"],
        ])
        let categories = try readCSV(root + "/out/category_pairs.csv").dropFirst().map { "\($0[0])+\($0[1])=\($0[2])" }
        #expect(categories == ["DAIRY+PANTRY=5", "DAIRY+VEG=5", "PANTRY+VEG=5"])
        let partners = try readCSV(root + "/out/product_partners.csv").dropFirst().filter { $0[0] == "Eggs" }.map { $0[2] }
        // Kidney Beans is in every basket with eggs, and in every other: confidence 1.0 but lift 1.0,
        // no partner. Onion (confidence 0.75, lift 1.25) is.
        #expect(partners == ["Onion"])

        // The warehouse keeps counts; its metrics view gives the same figures as the CSV.
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        try warehouse.database.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT m.orders_together, m.support, m.confidence_a_b, m.lift, m.leverage, m.jaccard FROM product_pair_metrics m
                JOIN product a ON a.product_key = m.product_a_key JOIN product b ON b.product_key = m.product_b_key
                WHERE a.product_id = 'Eggs' AND b.product_id = 'Onion'
                """))
            let together: Int64 = row[0]
            let support: Double = row[1], confidence: Double = row[2], lift: Double = row[3]
            let leverage: Double = row[4], jaccard: Double = row[5]
            #expect(together == 3)
            #expect(support == 0.6)
            #expect(confidence == 0.75)
            #expect(lift == 1.25)
            #expect(jaccard == 0.75)
            let expectedLeverage = 0.6 - 0.8 * 0.6
            #expect(leverage == expectedLeverage)
            #expect(try Int.fetchOne(db, sql: "SELECT baskets FROM pair_run WHERE kind = 'product'") == 5)
        }
    }

    @Test func minimumCountBoundaryCategoryLevelAndByteIdenticalReruns() throws {
        let root = try temporaryFolder()
        try write("pairs:\n  min_count: 4\n  category_level: 1\n  min_confidence: 0.9\n", to: root + "/p.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/p.yml")
        let first = try String(contentsOfFile: root + "/out/product_pairs.csv", encoding: .utf8)
        #expect(try readCSV(root + "/out/product_pairs.csv").dropFirst().map { $0[0] + "+" + $0[1] } == ["Eggs+Kidney Beans"])
        // At the root level every product is Food except Ice cream and Unicorn (Treats): 2 < 4 baskets.
        #expect(try readCSV(root + "/out/category_pairs.csv").count == 1)
        // Confidence Eggs → Kidney Beans is 1.0, but Kidney Beans is in every basket: lift 1.0, no partner.
        #expect(try readCSV(root + "/out/product_partners.csv").count == 1)
        try runPipeline(input: delivery, root: root, pipeline: root + "/p.yml")
        #expect(try String(contentsOfFile: root + "/out/product_pairs.csv", encoding: .utf8) == first)

        try write("pairs:\n  min_count: 2\n  category_level: 1\n", to: root + "/p2.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/p2.yml")
        #expect(try readCSV(root + "/out/category_pairs.csv").dropFirst().map { "\($0[0])+\($0[1])=\($0[2])" } == ["FOOD+TREATS=2"])

        // In 3 baskets or more, only Eggs + Onion has a lift above 1 (1.25); at confidence 0.9
        // Onion → Eggs (1.0) is a partner, Eggs → Onion (0.75) is not.
        try write("pairs:\n  min_count: 3\n  min_confidence: 0.9\n", to: root + "/p3.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/p3.yml")
        #expect(try readCSV(root + "/out/product_partners.csv").dropFirst().map { $0[0] + ">" + $0[2] } == ["Onion>Eggs"])
    }

    @Test func theLookbackWindowLimitsTheBaskets() throws {
        let root = try temporaryFolder()
        // 18 days up to Nov 21 start on Nov 4: only T4 and T5 remain, sharing Corn and Kidney Beans.
        try write("segment:\n  lookback_days: 18\n", to: root + "/p.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/p.yml")
        let rows = try readCSV(root + "/out/product_pairs.csv").dropFirst().map { "\($0[0])+\($0[1])=\($0[2]) \($0[3])" }
        #expect(rows == ["Corn+Kidney Beans=2 1.0"])
    }

    /// Every pair of the generated demo delivery against a brute-force count of its file.
    @Test func demoPairsMatchABruteForceCount() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root)
        let text = try String(contentsOfFile: fixture("demo/transactions.csv"), encoding: .utf8)
        let catalog = Set(try String(contentsOfFile: fixture("demo/products.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { String($0.prefix(6)) })
        var baskets: [String: Set<String>] = [:]
        for row in text.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 11, !f[0].isEmpty, let quantity = Int(f[4]), quantity > 0, catalog.contains(f[3]),
                  !f[2].hasPrefix("2026-13"), !f[5].hasSuffix("3456") else { continue }
            baskets[f[0], default: []].insert(f[3])
        }
        var single: [String: Int] = [:], pairs: [String: Int] = [:]
        for basket in baskets.values {
            let items = basket.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for item in items { single[item, default: 0] += 1 }
            for i in 0..<items.count { for j in (i + 1)..<items.count { pairs[items[i] + "|" + items[j], default: 0] += 1 } }
        }
        let expected = pairs.filter { $0.value >= 2 }
        let rows = try readCSV(root + "/out/product_pairs.csv").dropFirst()
        #expect(rows.count == expected.count)
        let n = Double(baskets.count)
        for row in rows {
            let together = try #require(expected[row[0] + "|" + row[1]])
            #expect(Int(row[2]) == together)
            let a = Double(single[row[0]] ?? 0), b = Double(single[row[1]] ?? 0), t = Double(together)
            let lift = (t / n) / ((a / n) * (b / n))
            #expect(abs((Double(row[6]) ?? 0) - lift) <= 1e-12 * lift)
            #expect(abs((Double(row[4]) ?? 0) - t / a) <= 1e-12)
        }
    }
}

/// Customer scope on `fixtures/cases/pairs`: C1 bought in T1 (Nov 1) and T4 (Nov 4), C2 in T2,
/// C3 in T5 (its return and its order after as_of do not count), T3 is anonymous: 3 customers.
@Suite struct CustomerScopePairsTests {
    func pairs(window: Int) throws -> [String: [String]] {
        let root = try temporaryFolder()
        try write("pairs:\n  scope: customer\n  window_days: \(window)\n  min_count: 2\n", to: root + "/p.yml")
        try runPipeline(input: fixture("cases/pairs"), root: root, pipeline: root + "/p.yml")
        var byPair: [String: [String]] = [:]
        for row in try readCSV(root + "/out/product_pairs.csv").dropFirst() { byPair[row[0] + "+" + row[1]] = row }
        return byPair
    }

    @Test func aCustomersOrdersDaysApartPairWithinTheWindowOnly() throws {
        let wide = try pairs(window: 3)
        // Corn (C1 on Nov 4, C3) with Eggs (C1 on Nov 1, C3): 3 days apart counts with a 3-day window.
        #expect(wide["Corn+Eggs"]?[2] == "2")
        #expect(wide["Corn+Eggs"]?[3] == "\(2.0 / 3.0)")
        #expect(wide["Eggs+Kidney Beans"]?[2] == "3")
        #expect(wide["Eggs+Kidney Beans"]?[3] == "1.0")
        let narrow = try pairs(window: 2)
        #expect(narrow["Corn+Eggs"] == nil)
        #expect(narrow["Eggs+Kidney Beans"]?[2] == "3")
    }

    @Test func badScopeIsAConfigurationError() {
        #expect(throws: LoyaltyError.self) { try PipelineConfig.parse(yaml: "pairs:\n  scope: household\n", file: "p.yml") }
    }
}
