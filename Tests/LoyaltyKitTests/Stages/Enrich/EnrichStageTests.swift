import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// `fixtures/cases/enrich`, worked out by hand (as_of 2026-11-21):
/// - P2 (Food > Pasta): C1 buys 1 × 5.00 six times (gaps 10, 16, 10, 14, 10 days), C2 2 × 5.00 twice
///   (gap 20) → units 10, revenue 50, 8 orders, 2 buyers both repeat (rate 1), gaps 10 10 10 14 16 20
///   → median 12 (6 gaps ≥ the default 5).
/// - P1 (Food > Pasta > Long pasta, launched Nov 10 → new): C1 3 × 2.00 and an anonymous 1 × 2.00;
///   A8 is after as_of → units 4, revenue 8, 2 orders, 1 buyer, no repeat.
/// - P3 (Home, replenish_days 30): C3 buys twice and returns one → units 1, revenue 10, 2 orders,
///   1 repeat buyer, cycle 30 from the attribute.
/// - P4: nothing sold. Ranks by revenue: P2, P3, P1.
/// - Seasonality of Pasta: Jan–Nov 2026 is 11 months, 50 in all; Jan, Feb, Mar 10 each → 10·11/50
///   = 2.2; Jun 20 → 4.4; Dec never occurs → empty.
@Suite struct EnrichStageTests {
    @Test func productFactsCategoryPathsAndSeasonality() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("cases/enrich"), root: root)
        let table = try readCSV(root + "/out/product_facts.csv")
        let header = table[0]
        let facts = Dictionary(uniqueKeysWithValues: table.dropFirst().map { ($0[0], Dictionary(uniqueKeysWithValues: zip(header, $0))) })
        func fact(_ product: String, _ column: String) -> String? { facts[product]?[column] }

        #expect(fact("P2", "units") == "10")
        #expect(fact("P2", "revenue") == "50.00")
        #expect(fact("P2", "orders") == "8")
        #expect(fact("P2", "buyers") == "2")
        #expect(fact("P2", "repeat_rate") == "1.0")
        #expect(fact("P2", "replenish_days") == "12.0")
        #expect(fact("P2", "replenish_source") == "observed")
        #expect(fact("P2", "bestseller_rank") == "1")
        #expect(fact("P1", "units") == "4")
        #expect(fact("P1", "revenue") == "8.00")
        #expect(fact("P1", "orders") == "2")
        #expect(fact("P1", "buyers") == "1")
        #expect(fact("P1", "repeat_rate") == "0.0")
        #expect(fact("P1", "is_new") == "true")
        #expect(fact("P1", "bestseller_rank") == "3")
        #expect(fact("P1", "category_path") == "Food > Pasta > Long pasta")
        #expect(fact("P1", "tags") == "eco,organic")
        #expect(fact("P3", "units") == "1")
        #expect(fact("P3", "revenue") == "10.00")
        #expect(fact("P3", "replenish_days") == "30.0")
        #expect(fact("P3", "replenish_source") == "attribute")
        #expect(fact("P3", "bestseller_rank") == "2")
        #expect(fact("P3", "category_rank") == "1")
        #expect(fact("P4", "units") == "0")
        #expect(fact("P4", "bestseller_rank") == "")
        #expect(fact("P2", "is_new") == "false")

        let seasonality = try readCSV(root + "/out/category_seasonality.csv").dropFirst().filter { $0[0] == "PASTA" }
        #expect(seasonality.count == 12)
        #expect(seasonality.map { $0[4] } == ["2.2", "2.2", "2.2", "0.0", "0.0", "4.4", "0.0", "0.0", "0.0", "0.0", "0.0", ""])

        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        try warehouse.database.read { db in
            let levels = try String.fetchAll(db, sql: """
                SELECT c.category_id FROM category_ancestor a JOIN category c ON c.category_key = a.ancestor_key
                WHERE a.category_key = (SELECT category_key FROM category WHERE category_id = 'LONG') ORDER BY a.level
                """)
            #expect(levels == ["FOOD", "PASTA", "LONG"])
            // The enriched view carries the path and attributes onto every line.
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT category_path, premium, season FROM order_line_enriched
                WHERE product_key = (SELECT product_key FROM product WHERE product_id = 'P2') LIMIT 1
                """))
            #expect(row[0] == "Food > Pasta")
            #expect(row[1] == 1 as Int64)
            #expect(row[2] == "winter")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_line_enriched") == 14)
        }
    }

    @Test func tooFewRepeatsGiveNoObservedCycle() throws {
        let root = try temporaryFolder()
        try write("enrich:\n  replenish_min_repeats: 7\n  new_days: 5\n", to: root + "/p.yml")
        try runPipeline(input: fixture("cases/enrich"), root: root, pipeline: root + "/p.yml")
        let rows = try readCSV(root + "/out/product_facts.csv")
        let p2 = try #require(rows.first { $0[0] == "P2" })
        let p1 = try #require(rows.first { $0[0] == "P1" })
        #expect(p2[10] == "")   // 6 gaps < 7
        #expect(p1[9] == "false") // launched 11 days before as_of, new_days 5
    }

    @Test func medianAndPathsByHand() {
        #expect(Quantiles.median([3, 1, 2]) == 2)
        #expect(Quantiles.median([4, 1, 2, 3]) == 2.5)
        let paths = CategoryPaths(categories: [1: ("A", "Alpha", nil), 2: ("B", "Beta", 1), 3: ("C", "Gamma", 2)])
        #expect(paths.entries[3] == CategoryPaths.Entry(depth: 3, lineage: [1, 2, 3], path: "Alpha > Beta > Gamma", pathIds: "A/B/C"))
        #expect(paths.entries[1]?.depth == 1)
    }
}
